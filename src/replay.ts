import type { PeriskopConfig } from './config/config.types.js';
import { EventStore } from './events/event-store.js';
import { openEventLog } from './events/open-event-log.js';
import { assertLogHoldsAfter } from './history/history-gone.js';
import { openSnapshotStore } from './history/open-snapshot-store.js';
import { restoreNewestSnapshot } from './history/restore-snapshot.js';
import { Projector } from './projector/projector.js';
import { ProjectionStore } from './read-model/projection-store.js';
import { ReadModelDatabase } from './read-model/read-model-database.js';

export interface ReplayReport {
  events: number;
  throughSeq: number;
  seconds: number;
  /** With fromSnapshot: the sequence of the snapshot restored (0: none, the whole log was replayed). */
  snapshotSeq?: number;
}

export interface ReplayOptions {
  /** Start from the newest read-model snapshot and replay only the log after it. */
  fromSnapshot?: boolean;
  onSnapshotSkipped?: (name: string, why: string) => void;
}

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
    const store = new ProjectionStore(db);
    const events = new EventStore(log);
    const projector = new Projector(events, store);
    const started = performance.now();
    if (!snapshots) {
      const applied = await projector.replay(onProgress);
      return { events: applied, throughSeq: projector.checkpoint, seconds: (performance.now() - started) / 1000 };
    }
    await store.reset();
    const restored = await restoreNewestSnapshot(db, snapshots, (s, why) => options.onSnapshotSkipped?.(s.name, why));
    assertLogHoldsAfter(restored?.seq ?? 0, await events.oldest(), () => 'replay from a snapshot');
    const applied = await projector.replayTail(onProgress);
    return { events: applied, throughSeq: projector.checkpoint, seconds: (performance.now() - started) / 1000, snapshotSeq: restored?.seq ?? 0 };
  } finally {
    await snapshots?.close();
    await db.close();
    await log.close();
  }
}
