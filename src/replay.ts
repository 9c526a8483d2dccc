import type { PeriskopConfig } from './config/config.types.js';
import { projectedPartitions } from './cluster/cluster.module.js';
import { writeCheckpoints } from './cluster/partition-checkpoints.js';
import { EventStore } from './events/event-store.js';
import { partitionNames } from './events/partition.js';
import { openEventLog } from './events/open-event-log.js';
import { Projector } from './projector/projector.js';
import { projectionOptions } from './projector/projection-options.js';
import { ProjectionStore } from './read-model/projection-store.js';
import { ReadModelDatabase } from './read-model/read-model-database.js';

export interface ReplayReport {
  events: number;
  throughSeq: number;
  seconds: number;
}

/** Rebuilds the read model from the whole log (`periskop replay`). */
export async function replayReadModel(config: PeriskopConfig, onProgress?: (applied: number, head: number) => void): Promise<ReplayReport> {
  const log = await openEventLog(config.events);
  const db = await ReadModelDatabase.create(config.repository);
  try {
    await db.ready();
    const partitions = projectedPartitions(config);
    const projector = new Projector(new EventStore(log, {}, partitions ?? 1), new ProjectionStore(db), projectionOptions(config));
    const started = performance.now();
    const events = await projector.replay(onProgress);
    // The replay applied every partition: their projectors go on from where it stopped.
    if (partitions !== null) {
      const names = Array.from({ length: partitions }, (_, k) => partitionNames(k, partitions).checkpoint);
      await writeCheckpoints(db, names, projector.checkpoint);
    }
    return { events, throughSeq: projector.checkpoint, seconds: (performance.now() - started) / 1000 };
  } finally {
    await db.close();
    await log.close();
  }
}
