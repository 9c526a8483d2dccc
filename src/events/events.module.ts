import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { EventsConfig } from '../config/config.types.js';
import { EVENT_LOG, type EventLog } from './event-log.js';
import { EventStore } from './event-store.js';
import { openEventLog } from './open-event-log.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { PeriskopMetrics } from '../metrics/periskop-metrics.js';

@Global()
@Module({})
export class EventsModule {
  static forConfig(config: EventsConfig): DynamicModule {
    return {
      module: EventsModule,
      imports: [MetricsModule],
      providers: [
        { provide: EVENT_LOG, useFactory: () => openEventLog(config) },
        {
          provide: EventStore,
          useFactory: (log: EventLog, metrics: PeriskopMetrics) =>
            new EventStore(log, {
              published: (events) => events.forEach((e) => metrics.eventsPublished.inc({ type: e.type })),
              failed: (events) => events.forEach((e) => metrics.eventsFailed.inc({ type: e.type })),
            }, config.type === 'jetstream' ? config.partitions : 1),
          inject: [EVENT_LOG, PeriskopMetrics],
        },
      ],
      exports: [EVENT_LOG, EventStore],
    };
  }
}
