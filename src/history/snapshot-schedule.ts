import type { SnapshotInfo } from './snapshot-store.js';

// When to take a snapshot, which to keep, and which one a question about a past time starts
// from. Pure: the taker and time travel do the I/O.

export function snapshotDue(eventsSinceLast: number, every: number): boolean {
  return every > 0 && eventsSinceLast >= every;
}

/** All but the newest `kept` (snapshots oldest first). */
export function snapshotsToRemove(snapshots: readonly SnapshotInfo[], kept: number): SnapshotInfo[] {
  return snapshots.slice(0, Math.max(0, snapshots.length - kept));
}

/**
 * The newest snapshot all of whose events happened at or before `at` (snapshots oldest
 * first); null when there is none, and the answer is folded from the start of the log.
 */
export function snapshotAtOrBefore(snapshots: readonly SnapshotInfo[], at: number): SnapshotInfo | null {
  let best: SnapshotInfo | null = null;
  for (const snapshot of snapshots) if (snapshot.at <= at && (!best || snapshot.seq > best.seq)) best = snapshot;
  return best;
}
