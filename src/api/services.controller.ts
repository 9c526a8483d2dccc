import { BadRequestException, Controller, Delete, Get, NotFoundException, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CLOCK, type Clock } from '../clock/clock.js';
import { ProjectionProgress } from '../cluster/projection-progress.js';
import { EventStore } from '../events/event-store.js';
import { ReadModelQueries } from '../read-model/read-model-queries.js';
import { InvalidSearch, parseQueryTime } from '../read-model/error-search.js';
import { PERISKOP_CONFIG, type PeriskopConfig } from '../config/config.types.js';
import { breakdownResponse, type BreakdownResponse } from './breakdown-response.js';
import { parseOccurrenceQuery } from '../read-model/occurrence-query.js';
import { goErrorAggregate, goJsonText, sendJson, sendText } from './go-response.js';
import { GoErrorsCache } from './go-errors-cache.js';
import { AppliedSeqMemo } from './applied-seq-memo.js';
import { sendPrepared } from './send-prepared.js';
import { InvalidTime, parseAtParameter } from '../history/at-parameter.js';
import { TimeTravel } from '../history/time-travel.js';
import { HistoryGone } from '../history/history-gone.js';

@Controller('services')
export class ServicesController {
  private readonly goErrors = new GoErrorsCache();

  constructor(
    private readonly queries: ReadModelQueries,
    private readonly events: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PERISKOP_CONFIG) private readonly config: PeriskopConfig,
    private readonly progress: ProjectionProgress,
    private readonly timeTravel: TimeTravel,
    private readonly appliedSeq: AppliedSeqMemo,
  ) {}

  @Get()
  async list(@Res() response: Response): Promise<void> {
    sendJson(response, await this.queries.services());
  }

  /**
   * `?new_since=<RFC 3339>` (an addition) keeps the errors first seen after it; `?at=<RFC 3339>` answers
   * as the service stood then, built from the log. Without them the Go answer, byte for byte.
   */
  @Get(':service/errors')
  async errors(
    @Param('service') service: string,
    @Query('new_since') newSince: string | undefined,
    @Query('at') at: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    let since;
    try {
      since = parseQueryTime('new_since', newSince);
    } catch (error) {
      if (error instanceof InvalidSearch) return sendText(response, 400, error.message);
      throw error;
    }
    if (at !== undefined) return this.errorsAt(service, at, since, response);
    if (since !== null) {
      if (!(await this.queries.serviceExists(service))) return sendText(response, 404, `service ${service} not found`);
      return sendJson(response, (await this.queries.openErrors(service, since)).map(goErrorAggregate));
    }
    // Read before the body: a commit in between only makes the cached body newer than its key,
    // never older. A body cached at this sequence also says the service exists (a new or gone
    // service moves the sequence): a cached answer costs no query.
    const seq = await this.appliedSeq.current();
    const body = await this.goErrors.body(service, seq, async () => {
      if (!(await this.queries.serviceExists(service))) return null;
      return goJsonText((await this.queries.openErrors(service)).map(goErrorAggregate));
    });
    if (!body) return sendText(response, 404, `service ${service} not found`);
    await sendPrepared(request, response, body);
  }

  /** Counts per target label value (the service's breakdown_labels) and when each value was first seen: see breakdown-response.ts. */
  @Get(':service/errors/*key/breakdown')
  async breakdown(@Param('service') service: string, @Param('key') key: string[] | string): Promise<BreakdownResponse> {
    const aggregationKey = aggregationKeyOf(key);
    if (!(await this.queries.errorExists(service, aggregationKey))) {
      throw new NotFoundException(`error ${aggregationKey} of service ${service} not found`);
    }
    const labels = this.config.services.find((s) => s.name === service)?.breakdownLabels ?? [];
    return breakdownResponse(labels, await this.queries.breakdown(service, aggregationKey));
  }

  private async errorsAt(service: string, at: string, since: number | null, response: Response): Promise<void> {
    let time: number;
    try {
      time = parseAtParameter(at);
    } catch (error) {
      if (error instanceof InvalidTime) return sendText(response, 400, error.message);
      throw error;
    }
    let past;
    try {
      past = await this.timeTravel.openErrorsAt(service, time, since);
    } catch (error) {
      if (error instanceof HistoryGone) return sendText(response, 410, error.message);
      throw error;
    }
    const { answer: openErrors, fromSeq, eventsFolded } = past;
    // How the answer was built (headers only: the body stays the Go shape).
    response.setHeader('Periskop-Snapshot-Seq', String(fromSeq));
    response.setHeader('Periskop-Events-Folded', String(eventsFolded));
    if (!openErrors) return sendText(response, 404, `service ${service} not found`);
    sendJson(response, openErrors.map(goErrorAggregate));
  }

  /** Occurrences over time: `[{t: <Unix seconds>, count}]`, buckets without any left out. */
  @Get(':service/errors/*key/occurrences')
  async occurrences(
    @Param('service') service: string,
    @Param('key') key: string[] | string,
    @Query() query: Record<string, string | undefined>,
  ): Promise<{ t: number; count: number }[]> {
    let range;
    try {
      range = parseOccurrenceQuery(query, this.clock.now());
    } catch (error) {
      if (error instanceof InvalidSearch) throw new BadRequestException(error.message);
      throw error;
    }
    const aggregationKey = aggregationKeyOf(key);
    if (!(await this.queries.errorExists(service, aggregationKey))) {
      throw new NotFoundException(`error ${aggregationKey} of service ${service} not found`);
    }
    const buckets = await this.queries.occurrences(service, aggregationKey, range.step, range.from, range.to);
    return buckets.map((b) => ({ t: Math.floor(b.t / 1000), count: b.count }));
  }

  /** Keys may hold '/', so the key is the rest of the path (the Go route's trailing slash dropped). */
  @Delete(':service/errors/*key')
  async resolve(@Param('service') service: string, @Param('key') key: string[] | string, @Res() response: Response): Promise<void> {
    const aggregationKey = aggregationKeyOf(key);
    if (!(await this.queries.serviceExists(service))) return sendText(response, 404, `service ${service} not found`);
    const [seq] = await this.events.publish([
      {
        id: randomUUID(),
        event: { type: 'ErrorResolved', version: 1, service, at: this.clock.now(), data: { aggregation_key: aggregationKey } },
      },
    ]);
    // Bounded: a reload right after the answer must not show the error again, on any replica.
    await this.progress.waitUntilApplied(service, seq!);
    // Projected by another replica, the resolve is in the database but not in the memo yet.
    this.appliedSeq.invalidate();
    response.status(204).end();
  }
}

/** The key from a wildcard path parameter, without the Go routes' trailing slash. */
function aggregationKeyOf(key: string[] | string): string {
  const segments = Array.isArray(key) ? [...key] : key.split('/');
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  return segments.join('/');
}
