import { Controller, Delete, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CLOCK, type Clock } from '../clock/clock.js';
import { EventStore } from '../events/event-store.js';
import { ReadModelQueries } from '../read-model/read-model-queries.js';
import { goErrorAggregate, sendJson, sendText } from './go-response.js';

@Controller('services')
export class ServicesController {
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
    if (!(await this.queries.serviceExists(service))) return sendText(response, 404, `service ${service} not found`);
    sendJson(response, (await this.queries.openErrors(service)).map(goErrorAggregate));
  }

  /** Keys may hold '/', so the key is the rest of the path (the Go route's trailing slash dropped). */
  @Delete(':service/errors/*key')
  async resolve(@Param('service') service: string, @Param('key') key: string[] | string, @Res() response: Response): Promise<void> {
    const segments = Array.isArray(key) ? [...key] : key.split('/');
    if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
    const aggregationKey = segments.join('/');
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
