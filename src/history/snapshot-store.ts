// Where read-model snapshots are kept: the data directory beside the embedded log, or a
// JetStream object store beside the stream. A snapshot is one opaque blob (gzip JSON lines,
// read-model-snapshot.ts); what a caller chooses by, its sequence and time, is in its name.

export interface SnapshotInfo {
  name: string;
  /** Last log sequence the snapshot covers. */
  seq: number;
  /** Newest event time (epoch ms) among the events it covers. */
  at: number;
  bytes: number;
}

export interface SnapshotStore {
  /** Where, for messages. */
  readonly description: string;
  /** Every snapshot, oldest first. */
  list(): Promise<SnapshotInfo[]>;
  /** Stores a snapshot whole (a reader never sees half of one). */
  put(seq: number, at: number, data: Uint8Array): Promise<SnapshotInfo>;
  get(snapshot: SnapshotInfo): Promise<Uint8Array>;
  remove(snapshot: SnapshotInfo): Promise<void>;
  close(): Promise<void>;
}

const NAME = /^read-model-(\d{16})-at-(\d+)$/;

export function snapshotName(seq: number, at: number): string {
  return `read-model-${String(seq).padStart(16, '0')}-at-${Math.max(0, Math.floor(at))}`;
}

/** The sequence and time a snapshot name records; null for anything else in the store. */
export function parseSnapshotName(name: string): { seq: number; at: number } | null {
  const match = NAME.exec(name);
  return match ? { seq: Number(match[1]), at: Number(match[2]) } : null;
}

export function bySeq(a: SnapshotInfo, b: SnapshotInfo): number {
  return a.seq - b.seq;
}
