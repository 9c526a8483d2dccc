import { Logger } from '@nestjs/common';
import type { SnapshotConfig } from '../config/config.types.js';
import type { BatchApplied } from '../projector/projector.js';
import type { ReadModelDatabase } from '../read-model/read-model-database.js';
import { dumpReadModel, encodeSnapshot } from './read-model-snapshot.js';
import { snapshotDue, snapshotsToRemove } from './snapshot-schedule.js';
import type { SnapshotInfo, SnapshotStore } from './snapshot-store.js';

interface Progress {
  /** Events applied since this taker started, through a batch's sequence. */
  events: number;
  /** Newest event time seen through that sequence. */
  newestAt: number;
}

/**
 * Takes a read-model snapshot once `every` events were applied since the last one, right
 * after the projector committed a batch, and keeps the newest `kept`. One at a time; a failed
 * snapshot is logged and never holds up the projection.
 */
export class SnapshotTaker {
  private readonly logger = new Logger('Snapshots');
  private applied: Progress = { events: 0, newestAt: 0 };
  private eventsAtLast = 0;
  /** Progress by the sequences of batches not yet covered by a snapshot. */
  private readonly progressThrough = new Map<number, Progress>();
  private running: Promise<SnapshotInfo | null> | null = null;
  private stopped = false;

  constructor(
    private readonly db: ReadModelDatabase,
    private readonly store: SnapshotStore,
    private readonly config: SnapshotConfig,
  ) {}

  /**
   * Counts from the newest snapshot (as if it had been taken `checkpoint - its seq` events
   * ago), so restarts do not postpone the next one forever.
   */
  async start(checkpoint: number): Promise<void> {
    const newest = (await this.store.list()).at(-1);
    this.eventsAtLast = Math.min(this.eventsAtLast, (newest?.seq ?? 0) - checkpoint);
    this.applied = { ...this.applied, newestAt: Math.max(this.applied.newestAt, newest?.at ?? 0) };
  }

  observe(batch: BatchApplied): void {
    this.applied = {
      events: this.applied.events + batch.events,
      newestAt: Math.max(this.applied.newestAt, batch.newestEventAt ?? 0),
    };
    this.progressThrough.set(batch.throughSeq, this.applied);
    if (!this.running && !this.stopped && snapshotDue(this.applied.events - this.eventsAtLast, this.config.every)) {
      void this.takeNow();
    }
  }

  /** Takes a snapshot of the read model as it is (waits for one in progress first). */
  async takeNow(): Promise<SnapshotInfo | null> {
    while (this.running) await this.running;
    this.running = this.take().catch((error: unknown) => {
      this.logger.error(`snapshot failed: ${(error as Error).stack ?? String(error)}`);
      return null;
    });
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  /** No new snapshots; waits for the one in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async take(): Promise<SnapshotInfo | null> {
    const started = performance.now();
    const dumped = await dumpReadModel(this.db);
    const progress = this.progressThrough.get(dumped.seq);
    // The newest event time is known only for batches this process applied.
    if (!progress || dumped.seq === 0) return null;
    for (const seq of this.progressThrough.keys()) if (seq <= dumped.seq) this.progressThrough.delete(seq);
    this.eventsAtLast = progress.events;
    const info = await this.store.put(dumped.seq, progress.newestAt, encodeSnapshot({ ...dumped, at: progress.newestAt }));
    for (const old of snapshotsToRemove(await this.store.list(), this.config.kept)) await this.store.remove(old);
    this.logger.log(
      `snapshot through sequence ${info.seq}: ${dumped.rows.length} rows, ${info.bytes} bytes, ${Math.round(performance.now() - started)} ms (${this.store.description})`,
    );
    return info;
  }
}
