import { Controller, Get, Inject } from '@nestjs/common';
import type { SnapshotStore } from './snapshot-store.js';
import { SNAPSHOT_STORE } from './snapshot-store-token.js';

/** The read-model snapshots kept, oldest first: how far back a bounded replay or time travel starts. */
@Controller('-/snapshots')
export class HistoryController {
  constructor(@Inject(SNAPSHOT_STORE) private readonly store: SnapshotStore | null) {}

  @Get()
  async list(): Promise<{ seq: number; at: string; bytes: number }[]> {
    const snapshots = this.store ? await this.store.list() : [];
    return snapshots.map((s) => ({ seq: s.seq, at: new Date(s.at).toISOString(), bytes: s.bytes }));
  }
}
