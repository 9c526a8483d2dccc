import { availableParallelism } from 'node:os';
import type { PeriskopConfig } from './config/config.types.js';
import { projectedPartitions } from './cluster/cluster.module.js';
import { writeCheckpoints } from './cluster/partition-checkpoints.js';
import { EmbeddedEventLog } from './events/embedded-event-log.js';
import { EventStore } from './events/event-store.js';
import { partitionNames } from './events/partition.js';
import { openEventLog } from './events/open-event-log.js';
import { assertLogHoldsAfter } from './history/history-gone.js';
import { openSnapshotStore } from './history/open-snapshot-store.js';
import { restoreNewestSnapshot } from './history/restore-snapshot.js';
import { ReplayWorkers } from './projector/parallel-replay.js';
import { Projector, REPLAY_SIZES } from './projector/projector.js';
import { assignServiceShares, messagesByServiceToken } from './projector/replay-shares.js';
import { projectionOptions } from './projector/projection-options.js';
import { ProjectionStore } from './read-model/projection-store.js';
import { ReadModelDatabase } from './read-model/read-model-database.js';

export interface ReplayReport {
  events: number;
  throughSeq: number;
  seconds: number;
  /** With fromSnapshot: the sequence of the snapshot restored (0: none, the whole log was replayed). */
  snapshotSeq?: number;
  /** Worker threads that folded the log (1: the serial fold). */
  workers: number;
}

export interface ReplayOptions {
  /** Start from the newest read-model snapshot and replay only the log after it. */
  fromSnapshot?: boolean;
  onSnapshotSkipped?: (name: string, why: string) => void;
  /**
   * Worker threads folding the log in parallel (each a share of the services), for a whole
   * replay of an embedded log; 1: the serial fold. Default: one per core, at most 4 (each
   * worker reads the whole log).
   */
  workers?: number;
}

const MAX_DEFAULT_WORKERS = 4;

/** Rebuilds the read model from the whole log (`periskop replay`), or from a snapshot and the tail (`--from-snapshot`). */
export async function replayReadModel(
  config: PeriskopConfig,
  onProgress?: (applied: number, head: number) => void,
  options: ReplayOptions = {},
): Promise<ReplayReport> {
  const log = await openEventLog(config.events);
  const db = await ReadModelDatabase.create(config.repository);
  const snapshots = options.fromSnapshot ? await openSnapshotStore(config.events) : null;
  try {
    await db.ready();
    const partitions = projectedPartitions(config);
    const store = new ProjectionStore(db);
    const events = new EventStore(log, {}, partitions ?? 1);
    const projector = new Projector(events, store, projectionOptions(config));
    const started = performance.now();
    let applied: number;
    let snapshotSeq: number | undefined;
    const wanted = options.workers ?? Math.min(availableParallelism(), MAX_DEFAULT_WORKERS);
    const workers = !snapshots && wanted > 1 && log instanceof EmbeddedEventLog && config.events.type === 'embedded' ? wanted : 1;
    if (workers > 1 && log instanceof EmbeddedEventLog && config.events.type === 'embedded') {
      const logDir = config.events.path;
      const projection = projectionOptions(config);
      applied = await projector.replayInParallel((fromSeq) => {
        const shares = assignServiceShares(messagesByServiceToken(log.messagesBySubjectTail(fromSeq)), workers);
        return ReplayWorkers.start({ logDir, shares, workers, options: projection, fromSeq, readEvents: REPLAY_SIZES.readEvents });
      }, onProgress);
    } else if (!snapshots) {
      // JetStream: the serial fold (workers would each read the whole stream over the network).
      applied = await projector.replay(onProgress);
    } else {
      await store.reset();
      const restored = await restoreNewestSnapshot(db, snapshots, (s, why) => options.onSnapshotSkipped?.(s.name, why));
      snapshotSeq = restored?.seq ?? 0;
      assertLogHoldsAfter(snapshotSeq, await events.oldest(), () => 'replay from a snapshot');
      applied = await projector.replayTail(onProgress);
    }
    // The replay applied every partition: their projectors go on from where it stopped.
    if (partitions !== null) {
      const names = Array.from({ length: partitions }, (_, k) => partitionNames(k, partitions).checkpoint);
      await writeCheckpoints(db, names, projector.checkpoint);
    }
    const seconds = (performance.now() - started) / 1000;
    return { events: applied, throughSeq: projector.checkpoint, seconds, workers, ...(snapshotSeq === undefined ? {} : { snapshotSeq }) };
  } finally {
    await snapshots?.close();
    await db.close();
    await log.close();
  }
}
