import { BadRequestException, Body, Controller, ForbiddenException, Headers, HttpCode, Inject, Param, Post, UnauthorizedException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CLOCK, type Clock } from '../clock/clock.js';
import { PERISKOP_CONFIG, type PeriskopConfig } from '../config/config.types.js';
import { EventStore } from '../events/event-store.js';
import { parseScrapedPayload, PayloadError } from '../scraper/payload.js';
import { redactionRulesOf, redactPayload } from '../security/index.js';

/**
 * Push ingestion: what a periskop client's push-to-gateway sends, recorded like a scrape.
 * A client pushes its cumulative state; the projector counts only the growth per pushing
 * instance (target_uuid), so pushing the same state twice counts nothing twice.
 */
@Controller('push')
export class PushController {
  constructor(
    @Inject(PERISKOP_CONFIG) private readonly config: PeriskopConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly events: EventStore,
  ) {}

  @Post(':service/errors')
  @HttpCode(200)
  async push(
    @Param('service') service: string,
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
  ): Promise<{ accepted: number }> {
    this.authorize(service, authorization);
    let payload;
    try {
      payload = redactPayload(parseScrapedPayload(body), redactionRulesOf(this.config, service));
    } catch (error) {
      if (error instanceof PayloadError) throw new BadRequestException({ message: error.message, field: error.path });
      throw error;
    }
    if (!payload.target_uuid) {
      throw new BadRequestException({ message: 'target_uuid: required in pushed payloads (it tells the pushing instances apart)', field: 'target_uuid' });
    }
    await this.events.publish([
      {
        id: randomUUID(),
        event: {
          type: 'SnapshotScraped',
          version: 1,
          service,
          at: this.clock.now(),
          data: { target: `push:${payload.target_uuid}`, target_uuid: payload.target_uuid, source: 'push', aggregated_errors: payload.aggregated_errors },
        },
      },
    ]);
    return { accepted: payload.aggregated_errors.length };
  }

  private authorize(service: string, authorization: string | undefined): void {
    const token = this.config.services.find((s) => s.name === service)?.push?.token;
    if (!token) return;
    if (!authorization) throw new UnauthorizedException(`pushes to service ${service} need the header Authorization: Bearer <token>`);
    if (authorization !== `Bearer ${token}`) throw new ForbiddenException(`the token is not the push token of service ${service}`);
  }
}
