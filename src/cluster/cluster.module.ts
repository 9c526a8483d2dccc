import { Global, Module, type DynamicModule } from '@nestjs/common';
import { CLOCK, type Clock } from '../clock/clock.js';
import type { PeriskopConfig } from '../config/config.types.js';
import { EVENT_LOG, type EventLog } from '../events/event-log.js';
import { EventStore } from '../events/event-store.js';
import { ProjectorModule } from '../projector/projector.module.js';
import { Projector } from '../projector/projector.js';
import { projectionOptions } from '../projector/projection-options.js';
import { ReadModelDatabase } from '../read-model/read-model-database.js';
import { ClusterOwnership } from './cluster-ownership.js';
import { LeaseTable } from './lease-table.js';
import { OWNERSHIP, SoleOwnership, type Ownership } from './ownership.js';
import { PartitionProjectors } from './partition-projectors.js';
import { ProjectionProgress } from './projection-progress.js';

/**
 * Null when one projector in this process folds the whole log (the default); otherwise the
 * stream's partition count P: one projector per partition, run by whichever replica owns it.
 */
export function projectedPartitions(config: PeriskopConfig): number | null {
  if (config.events.type !== 'jetstream') return null;
  const partitions = config.events.partitions ?? 1;
  return config.cluster?.enabled || partitions > 1 ? partitions : null;
}

async function createOwnership(config: PeriskopConfig, clock: Clock): Promise<Ownership> {
  const { cluster, events } = config;
  if (!cluster?.enabled || events.type !== 'jetstream') return new SoleOwnership();
  const leases = await LeaseTable.connect(events.url, `${events.stream}_leases`, cluster.leaseTtlMs, `periskop-leases-${cluster.replicaId}`);
  return new ClusterOwnership(
    leases,
    {
      replicaId: cluster.replicaId,
      leaseTtlMs: cluster.leaseTtlMs,
      services: config.services.map((s) => s.name),
      partitions: events.partitions ?? 1,
    },
    clock,
  );
}

/** Who scrapes which service and projects which partition; how far the projection is. */
@Global()
@Module({})
export class ClusterModule {
  static forConfig(config: PeriskopConfig): DynamicModule {
    const partitions = projectedPartitions(config);
    return {
      module: ClusterModule,
      imports: [ProjectorModule],
      providers: [
        { provide: OWNERSHIP, useFactory: (clock: Clock) => createOwnership(config, clock), inject: [CLOCK] },
        {
          provide: PartitionProjectors,
          useFactory: (events: EventStore, db: ReadModelDatabase, ownership: Ownership) => new PartitionProjectors(events, db, ownership, partitions ?? 1, projectionOptions(config)),
          inject: [EventStore, ReadModelDatabase, OWNERSHIP],
        },
        {
          provide: ProjectionProgress,
          useFactory: (events: EventStore, log: EventLog, projector: Projector, db: ReadModelDatabase) =>
            new ProjectionProgress(events, log, projector, db, partitions),
          inject: [EventStore, EVENT_LOG, Projector, ReadModelDatabase],
        },
      ],
      exports: [OWNERSHIP, PartitionProjectors, ProjectionProgress],
    };
  }
}
