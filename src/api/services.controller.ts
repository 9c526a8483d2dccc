import { BadRequestException, Controller, Delete, Get, NotFoundException, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CLOCK, type Clock } from '../clock/clock.js';
import { EventStore } from '../events/event-store.js';
import { ReadModelQueries } from '../read-model/read-model-queries.js';
import { InvalidSearch } from '../read-model/error-search.js';
import { parseOccurrenceQuery } from '../read-model/occurrence-query.js';
import { goErrorAggregate, goJsonText, sendJson, sendText } from './go-response.js';
import { GoErrorsCache } from './go-errors-cache.js';

@Controller('services')
export class ServicesController {
  private readonly goErrors = new GoErrorsCache();

  constructor(
    private readonly queries: ReadModelQueries,
    private readonly events: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  async list(@Res() response: Response): Promise<void> {
    sendJson(response, await this.queries.services());
  }

  @Get(':service/errors')
  async errors(@Param('service') service: string, @Res() response: Response): Promise<void> {
    // Read before the body: a commit in between only makes the cached body older than its key, never newer.
    const seq = await this.queries.appliedSeq();
    if (!(await this.queries.serviceExists(service))) return sendText(response, 404, `service ${service} not found`);
    const body = await this.goErrors.body(service, seq, async () => goJsonText((await this.queries.openErrors(service)).map(goErrorAggregate)));
    response.status(200).type('application/json').send(body);
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
    if (!(await this.queries.error(service, aggregationKey))) {
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
    await this.events.publish([
      {
        id: randomUUID(),
        event: { type: 'ErrorResolved', version: 1, service, at: this.clock.now(), data: { aggregation_key: aggregationKey } },
      },
    ]);
    response.status(204).end();
  }
}

/** The key from a wildcard path parameter, without the Go routes' trailing slash. */
function aggregationKeyOf(key: string[] | string): string {
  const segments = Array.isArray(key) ? [...key] : key.split('/');
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  return segments.join('/');
}
