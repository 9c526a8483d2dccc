import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CLOCK, type Clock } from '../clock/clock.js';
import { PERISKOP_CONFIG, type PeriskopConfig } from '../config/config.types.js';
import type { DiscoveredTarget } from '../events/events.js';
import { EventStore } from '../events/event-store.js';
import { staticTargets } from './static-targets.js';

/** The current targets of every service, recorded as TargetsDiscovered when they change. */
@Injectable()
export class TargetDirectory {
  private readonly logger = new Logger('Discovery');
  private readonly current = new Map<string, DiscoveredTarget[]>();

  constructor(
    @Inject(PERISKOP_CONFIG) private readonly config: PeriskopConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly events: EventStore,
  ) {}

  async start(): Promise<void> {
    const changed: { service: string; targets: DiscoveredTarget[] }[] = [];
    for (const service of this.config.services) {
      for (const mechanism of service.unsupportedDiscovery) {
        this.logger.warn(`service "${service.name}": ${mechanism} is not supported yet; its targets are not scraped`);
      }
      const targets = staticTargets(service);
      if (JSON.stringify(this.current.get(service.name)) === JSON.stringify(targets)) continue;
      changed.push({ service: service.name, targets });
    }
    if (changed.length === 0) return;
    const at = this.clock.now();
    await this.events.publish(
      changed.map(({ service, targets }) => ({
        id: randomUUID(),
        event: { type: 'TargetsDiscovered', version: 1, service, at, data: { targets } },
      })),
    );
    for (const { service, targets } of changed) {
      this.current.set(service, targets);
      this.logger.log(`service "${service}": ${targets.length} target(s)`);
    }
  }

  targetsOf(service: string): DiscoveredTarget[] {
    return this.current.get(service) ?? [];
  }
}
