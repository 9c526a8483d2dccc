import { Module } from '@nestjs/common';
import { EventStore } from '../events/event-store.js';
import { ProjectionStore } from '../read-model/projection-store.js';
import { Projector } from './projector.js';

@Module({
  providers: [
    { provide: Projector, useFactory: (events: EventStore, store: ProjectionStore) => new Projector(events, store), inject: [EventStore, ProjectionStore] },
  ],
  exports: [Projector],
})
export class ProjectorModule {}
