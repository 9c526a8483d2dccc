import type { ReadModelDatabase } from '../read-model/read-model-database.js';
import { decodeSnapshot, restoreRows, unusableBecause } from './read-model-snapshot.js';
import type { SnapshotInfo, SnapshotStore } from './snapshot-store.js';

/**
 * Restores the newest usable snapshot into an emptied read model (checkpoint included);
 * the one restored, or null when there is none and the log must be replayed from its start.
 */
export async function restoreNewestSnapshot(
  db: ReadModelDatabase,
  store: SnapshotStore,
  onSkipped: (snapshot: SnapshotInfo, why: string) => void = () => undefined,
): Promise<SnapshotInfo | null> {
  for (const info of (await store.list()).reverse()) {
    const snapshot = decodeSnapshot(await store.get(info), info.name);
    const why = unusableBecause(snapshot);
    if (why) {
      onSkipped(info, why);
      continue;
    }
    await restoreRows(db, snapshot.seq, snapshot.rows);
    return info;
  }
  return null;
}
