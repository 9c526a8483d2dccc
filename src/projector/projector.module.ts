import { Module } from '@nestjs/common';
import { EventStore } from '../events/event-store.js';
import { ProjectionStore } from '../read-model/projection-store.js';
import { Projector } from './projector.js';
import { projectionOptions } from './projection-options.js';
import { PERISKOP_CONFIG, type PeriskopConfig } from '../config/config.types.js';

@Module({
  providers: [
    {
      provide: Projector,
      useFactory: (events: EventStore, store: ProjectionStore, config: PeriskopConfig) => new Projector(events, store, projectionOptions(config)),
      inject: [EventStore, ProjectionStore, PERISKOP_CONFIG],
    },
  ],
  exports: [Projector],
})
export class ProjectorModule {}
