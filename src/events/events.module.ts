import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { EventsConfig } from '../config/config.types.js';
import { EVENT_LOG, type EventLog } from './event-log.js';
import { EventStore } from './event-store.js';
import { openEventLog } from './open-event-log.js';

@Global()
@Module({})
export class EventsModule {
  static forConfig(config: EventsConfig): DynamicModule {
    return {
      module: EventsModule,
      providers: [
        { provide: EVENT_LOG, useFactory: () => openEventLog(config) },
        { provide: EventStore, useFactory: (log: EventLog) => new EventStore(log), inject: [EVENT_LOG] },
      ],
      exports: [EVENT_LOG, EventStore],
    };
  }
}
