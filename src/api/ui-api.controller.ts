import { Controller, Get, GoneException, Inject, NotFoundException, Param, Query, BadRequestException } from '@nestjs/common';
import { CLOCK, type Clock } from '../clock/clock.js';
import { HistoryGone } from '../history/history-gone.js';
import { hourlySparkline } from './breakdown-response.js';
import { InvalidSearch, parseErrorSearch } from '../read-model/error-search.js';
import { ReadModelQueries } from '../read-model/read-model-queries.js';
import { TargetHealth } from '../scraper/target-health.js';
import { InvalidTime, parseAtParameter } from '../history/at-parameter.js';
import { TimeTravel } from '../history/time-travel.js';
import { errorDetail, errorSummary } from './ui-response.js';

const SPARKLINE_HOURS = 24;

const seconds = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : Math.floor(ms / 1000));

/** What the UI needs beyond the Go routes: filtered pages, one error, target health. */
@Controller('api')
export class UiApiController {
  constructor(
    private readonly queries: ReadModelQueries,
    private readonly health: TargetHealth,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly timeTravel: TimeTravel,
  ) {}

  /** With `at` (RFC 3339): the same page as the service stood then, built from the log. */
  @Get('services/:service/errors')
  async errors(@Param('service') service: string, @Query() query: Record<string, string | undefined>) {
    let search;
    let at: number | undefined;
    try {
      search = parseErrorSearch(query);
      if (query.at !== undefined) at = parseAtParameter(query.at);
    } catch (error) {
      if (error instanceof InvalidSearch || error instanceof InvalidTime) throw new BadRequestException(error.message);
      throw error;
    }
    if (at !== undefined) {
      const { answer } = await this.timeTravel
        .serviceAt(service, at, (queries) => queries.searchErrors(service, search))
        .catch((error: unknown) => {
          throw error instanceof HistoryGone ? new GoneException(error.message) : error;
        });
      if (!answer) throw new NotFoundException(`service ${service} not found at ${query.at}`);
      return { total: answer.total, items: answer.items.map(errorSummary) };
    }
    if (!(await this.queries.serviceExists(service))) throw new NotFoundException(`service ${service} not found`);
    const { total, items } = await this.queries.searchErrors(service, search);
    if (query.sparkline === undefined) return { total, items: items.map(errorSummary) };
    // `?sparkline`: each error's occurrences per hour over the last day, for the page only (one query).
    const now = this.clock.now();
    const hourly = await this.queries.hourlyOccurrences(service, items.map((i) => i.aggregationKey), now - SPARKLINE_HOURS * 3_600_000);
    return {
      total,
      items: items.map((row) => ({ ...errorSummary(row), sparkline: hourlySparkline(hourly.get(row.aggregationKey) ?? [], now, SPARKLINE_HOURS) })),
    };
  }

  /** Keys may hold '/', so the key is the rest of the path. */
  @Get('services/:service/errors/*key')
  async error(@Param('service') service: string, @Param('key') key: string[] | string) {
    const aggregationKey = Array.isArray(key) ? key.join('/') : key;
    const row = await this.queries.error(service, aggregationKey);
    if (!row) throw new NotFoundException(`error ${aggregationKey} of service ${service} not found`);
    return errorDetail(row);
  }

  @Get('targets')
  async targets() {
    const byService: Record<string, unknown[]> = {};
    for (const t of await this.queries.targets()) {
      const live = this.health.of(t.service, t.url);
      (byService[t.service] ??= []).push({
        endpoint: t.url,
        address: t.address,
        labels: t.labels,
        status: live ? (live.up ? 'up' : 'down') : t.status,
        last_error: live ? live.failure : t.lastErrorReason ? { reason: t.lastErrorReason, detail: t.lastErrorDetail ?? '' } : null,
        status_at: seconds(t.statusAt),
        last_scrape_at: seconds(live?.lastScrapeAt),
        last_duration_ms: live ? Math.round(live.lastDurationMs) : null,
      });
    }
    return byService;
  }
}
