/** Nest token of the SnapshotStore (null when events.snapshot_every is 0). */
export const SNAPSHOT_STORE = Symbol('SnapshotStore');
