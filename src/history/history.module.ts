import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { EventsConfig } from '../config/config.types.js';
import { EventStore } from '../events/event-store.js';
import { ProjectorModule } from '../projector/projector.module.js';
import { Projector } from '../projector/projector.js';
import { ProjectionStore } from '../read-model/projection-store.js';
import { ReadModelDatabase } from '../read-model/read-model-database.js';
import { HistoryController } from './history.controller.js';
import { openSnapshotStore } from './open-snapshot-store.js';
import { SnapshotTaker } from './snapshot-taker.js';
import type { SnapshotStore } from './snapshot-store.js';
import { SNAPSHOT_STORE } from './snapshot-store-token.js';
import { TimeTravel } from './time-travel.js';

// Read-model snapshots and time travel. Its public surface: TimeTravel, SnapshotTaker and
// the snapshot store (null when events.snapshot_every is 0).

@Injectable()
class HistoryLifecycle implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('Snapshots');

  constructor(
    @Inject(SNAPSHOT_STORE) private readonly store: SnapshotStore | null,
    @Inject(SnapshotTaker) private readonly taker: SnapshotTaker | null,
    private readonly projector: Projector,
    private readonly db: ReadModelDatabase,
    private readonly projection: ProjectionStore,
  ) {}

  onApplicationBootstrap(): void {
    const taker = this.taker;
    if (!taker) return;
    this.projector.onBatchApplied((batch) => taker.observe(batch));
    // The database may be down at start: like the projection, this waits for it.
    void this.db
      .ready()
      .then(async () => taker.start(await this.projection.checkpoint()))
      .catch((error: unknown) => this.logger.error(`snapshots did not start: ${String(error)}`));
  }

  /** Does not wait for the start above: it waits for a database that may never come back. */
  async onModuleDestroy(): Promise<void> {
    await this.taker?.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store?.close();
  }
}

@Global()
@Module({})
export class HistoryModule {
  static forConfig(config: EventsConfig): DynamicModule {
    const enabled = config.snapshots.every > 0;
    return {
      module: HistoryModule,
      imports: [ProjectorModule],
      controllers: [HistoryController],
      providers: [
        { provide: SNAPSHOT_STORE, useFactory: () => (enabled ? openSnapshotStore(config) : null) },
        {
          provide: SnapshotTaker,
          useFactory: (db: ReadModelDatabase, store: SnapshotStore | null) => (store ? new SnapshotTaker(db, store, config.snapshots) : null),
          inject: [ReadModelDatabase, SNAPSHOT_STORE],
        },
        {
          provide: TimeTravel,
          useFactory: (events: EventStore, store: SnapshotStore | null) => new TimeTravel(events, store),
          inject: [EventStore, SNAPSHOT_STORE],
        },
        HistoryLifecycle,
      ],
      exports: [SNAPSHOT_STORE, SnapshotTaker, TimeTravel],
    };
  }
}
