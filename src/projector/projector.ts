import { Logger } from '@nestjs/common';
import type { PeriskopEvent, RecordedEvent } from '../events/events.js';
import type { EventStore, UndecodedBatch } from '../events/event-store.js';
import type { Subscription } from '../events/event-log.js';
import type { CommittedLater } from '../events/batches-behind.js';
import { CheckpointMoved, type ProjectionStore } from '../read-model/projection-store.js';
import type { AggregateTotal } from './aggregate-rules.js';
import { apply, emptyProjectionState, type ProjectionState } from './projection.js';
import type { BreakdownCount } from './breakdown.js';
import { DEFAULT_PROJECTION_OPTIONS, type ProjectionOptions } from './projection-options.js';
import type { FoldProgress, ParallelFold } from './parallel-replay.js';
import { mergeChanges } from './share-fold.js';

export const PROJECTOR_CONSUMER = 'periskop-projector';
/**
 * How much one live batch (one transaction) may hold. Large, because while the projector lags
 * every commit rewrites the rows the batch touched, whatever their count: fewer, bigger commits
 * catch up faster. When it keeps up, a batch is simply whatever arrived since the last one.
 * The byte bound keeps a backlog of big snapshots from being read into memory at once.
 * A scrape round's events arrive one group at a time: gathered for 100 ms (ConsumeOptions.gatherMs),
 * a round of a thousand targets takes tens of commits, not hundreds, for 0.1 s of freshness.
 */
export const LIVE_BATCH = { maxBatch: 2_000, maxBatchBytes: 16 * 1024 * 1024, gatherMs: 100 } as const;
/**
 * A live batch is decoded and folded a slice at a time, all in its one transaction: a slice's
 * decoded events are garbage once folded, before the next slice is decoded. Decoding a whole
 * batch first kept up to 16 MiB of snapshots alive as objects (~50 MB) until the commit,
 * long enough to be promoted to the old generation; a first scrape of a thousand 1 MB
 * snapshots grew the heap by hundreds of MB of them. A slice is also what one load reads.
 */
export const LIVE_FOLD_SLICE = { events: 256, bytes: 1024 * 1024 } as const;
/**
 * How a rebuild reads and commits. It folds in memory until its working set holds
 * `commitAggregates` changed errors (each with up to 100 occurrences: the projection store
 * caches as many) or `commitRecords` other changed records, then commits. Not a number of
 * events: every commit writes each touched error's occurrences that arrived since the last
 * one, and over 100,000 events most of them are pushed out of the latest hundred again before
 * the next commit; the fewer commits, the less written for nothing.
 */
export interface ReplaySizes {
  /** Events read per step. */
  readEvents: number;
  /** A parallel replay's workers fold this many log messages between two checks of the bound. */
  foldSlice: number;
  commitAggregates: number;
  /** Changed target totals, buckets, target rows and breakdown counts together. */
  commitRecords: number;
}

export const REPLAY_SIZES: ReplaySizes = { readEvents: 5_000, foldSlice: 50_000, commitAggregates: 5_000, commitRecords: 500_000 };

/** Which part of the log a projector folds (one stream partition), and as whom. */
export interface ProjectorScope {
  /** Durable consumer name. */
  consumer: string;
  /** Relative subject filter of the partition; absent: the whole log. */
  filterSubject?: string;
  /**
   * Rebuild the whole read model when its checkpoint is past the log head (the log was
   * replaced). Only a projector of the whole log may: a partition's would wipe the others'.
   */
  rebuildWhenAhead: boolean;
}

const WHOLE_LOG: ProjectorScope = { consumer: PROJECTOR_CONSUMER, rebuildWhenAhead: true };

export interface BatchApplied {
  throughSeq: number;
  events: number;
  durationMs: number;
  /** The errors the batch changed, their totals (what the metrics show). */
  changedAggregates: AggregateTotal[];
  changedBreakdowns: BreakdownCount[];
  /** Newest event time (epoch ms) in the batch; null when it held no event. */
  newestEventAt: number | null;
  /** The stream partition the batch is of, when partitions are projected apart (PartitionProjectors). */
  partition?: number;
}

/**
 * Folds the event log into the read model, one batch per transaction. The checkpoint (last
 * applied sequence) is committed with the batch, so a redelivered or replayed event at or
 * below it is skipped: each event takes effect exactly once.
 */
export class Projector {
  private readonly logger = new Logger('Projector');
  private subscription: Subscription | null = null;
  /** Committed through this sequence: what the read model shows. */
  private applied = 0;
  /** Handed over through this sequence (ProjectionStore.handOver): committed or being written. */
  private handedOver = 0;
  /** The live batch being written, settled (never rejects). */
  private writing: Promise<void> | null = null;
  /** A live batch's write failed: the consumer delivers again from it; start from the checkpoint. */
  private writeFailed = false;
  private waiters: { seq: number; resolve: () => void }[] = [];
  private listeners: ((batch: BatchApplied) => void)[] = [];

  constructor(
    private readonly events: EventStore,
    private readonly store: ProjectionStore,
    private readonly options: ProjectionOptions = DEFAULT_PROJECTION_OPTIONS,
    private readonly scope: ProjectorScope = WHOLE_LOG,
    private readonly replaySizes: ReplaySizes = REPLAY_SIZES,
  ) {}

  get checkpoint(): number {
    return this.applied;
  }

  onBatchApplied(listener: (batch: BatchApplied) => void): void {
    this.listeners.push(listener);
  }

  async start(): Promise<void> {
    this.applied = await this.store.checkpoint();
    const head = await this.events.head();
    if (this.applied > head && this.scope.rebuildWhenAhead) {
      // The read model is ahead of the log: the log was replaced. Rebuild from it.
      this.logger.warn(`read model checkpoint ${this.applied} is past the log head ${head}: rebuilding the read model`);
      await this.store.reset();
      this.applied = 0;
    }
    // Nothing projected yet: on an empty read model, records not written since do not exist.
    if (this.applied === 0) await this.store.knowEmpty();
    if (head > this.applied) this.logger.log(`catching up from sequence ${this.applied + 1} to ${head}`);
    this.handedOver = this.applied;
    // Live batches are written behind the consumer: a batch's handler resolves once it is
    // handed over, so the next batch is read and folded while it commits; the consumer
    // acknowledges it once committed, and delivers it again if its write fails.
    this.subscription = this.events.consumeUndecoded(
      { name: this.scope.consumer, fromSeq: this.applied + 1, ...LIVE_BATCH, filterSubject: this.scope.filterSubject },
      (batch) => this.applyUndecoded(batch, 'behind'),
    );
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = null;
    await this.writing;
  }

  /** Resolves once every event up to `seq` is visible in the read model. */
  waitFor(seq: number, timeoutMs = 10_000): Promise<void> {
    if (this.applied >= seq) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`projection did not reach sequence ${seq} within ${timeoutMs} ms (at ${this.applied})`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ seq, resolve: done });
    });
  }

  /** Rebuilds the read model from the whole log; returns how many events it applied. */
  async replay(onProgress?: (applied: number, head: number) => void): Promise<number> {
    await this.store.startRebuild();
    return this.replayTail(onProgress);
  }

  /**
   * Applies the log from the read model's checkpoint (e.g. a restored snapshot's) up to the
   * head, in replay-sized batches; returns how many events it applied. `onProgress` is told
   * the sequence folded through after every read batch (committed or not).
   */
  async replayTail(onProgress?: (applied: number, head: number) => void): Promise<number> {
    this.applied = await this.store.checkpoint();
    const head = await this.events.head();
    let count = 0;
    let read = this.applied;
    let state: ProjectionState | undefined;
    let pending = 0;
    let newestAt: number | null = null;
    let started = performance.now();
    while (read < head) {
      const { events, throughSeq } = await this.events.read(read + 1, this.replaySizes.readEvents);
      if (throughSeq <= read) break;
      const batch = events.map((r) => r.event);
      state = await this.store.load(batch, this.options, state);
      for (const event of batch) apply(state, event);
      newestAt = newestEventAt(batch, newestAt);
      read = throughSeq;
      pending += batch.length;
      count += batch.length;
      if (read >= head || passesCommitBound(state, this.replaySizes)) {
        await this.commitBatch(state, read, pending, started, newestAt);
        state = undefined;
        pending = 0;
        newestAt = null;
        started = performance.now();
      }
      onProgress?.(read, head);
    }
    if (state) await this.commitBatch(state, read, pending, started, newestAt);
    return count;
  }

  /**
   * Rebuilds the read model from the whole log with the fold split over workers by service
   * (parallel-replay.ts), this projector writing what they folded; the same read model as
   * replay(). The workers keep every record of their services in memory: once they hold more
   * errors than the projection store caches, the replay goes on serially from its last commit.
   */
  async replayInParallel(startWorkers: (fromSeq: number) => ParallelFold, onProgress?: (applied: number, head: number) => void): Promise<number> {
    await this.store.startRebuild();
    this.applied = await this.store.checkpoint();
    const head = await this.events.head();
    const workers = startWorkers(this.applied + 1);
    let count = 0;
    let read = this.applied;
    let pending = 0;
    let newestAt: number | null = null;
    /** Buckets written ahead of the next commit: they count toward its bound as the changed ones do. */
    let writtenAhead = 0;
    let started = performance.now();
    const foldSlice = (): Promise<FoldProgress[]> => {
      const folding = workers.fold(Math.min(read + this.replaySizes.foldSlice, head));
      // Awaited below; a failure while the writer writes must not go unhandled meanwhile.
      folding.catch(() => undefined);
      return folding;
    };
    try {
      let folding = read < head ? foldSlice() : null;
      while (folding) {
        const folded = await folding;
        folding = null;
        read = Math.min(...folded.map((f) => f.through));
        for (const f of folded) {
          pending += f.events;
          count += f.events;
          if (f.newestEventAt !== null) newestAt = Math.max(newestAt ?? f.newestEventAt, f.newestEventAt);
        }
        const sum = (of: (f: (typeof folded)[number]) => number) => folded.reduce((total, f) => total + of(f), 0);
        const tooBig = sum((f) => f.aggregates) > this.replaySizes.commitAggregates;
        const bound = sum((f) => f.changedAggregates) >= this.replaySizes.commitAggregates || sum((f) => f.changedRecords) + writtenAhead >= this.replaySizes.commitRecords;
        if (read >= head || bound || tooBig) {
          const state = mergeChanges(await workers.handOver(), this.options);
          await this.commitBatch(state, read, pending, started, newestAt);
          if (state.newestAt !== null) workers.committed(state.newestAt);
          pending = 0;
          newestAt = null;
          writtenAhead = 0;
          started = performance.now();
          if (read < head && !tooBig) folding = foldSlice();
        } else {
          // The workers fold the next slice while the buckets they are done with are written.
          const buckets = await workers.handOverBuckets();
          folding = foldSlice();
          for (const counts of buckets) writtenAhead += await this.store.writeBucketsAhead(counts);
        }
        onProgress?.(read, head);
      }
    } catch (error) {
      await this.store.abandonAhead();
      throw error;
    } finally {
      await workers.close();
    }
    // The store still knows what it wrote: the serial replay goes on from the last commit.
    if (read < head) count += await this.replayTail(onProgress);
    return count;
  }

  /** Folds a batch already decoded (time travel, a restored snapshot) and commits it. */
  async applyBatch(batch: RecordedEvent[], throughSeq: number): Promise<void> {
    await this.applyUndecoded({
      throughSeq,
      eachEvent: async (onEvent) => {
        for (const recorded of batch) await onEvent(recorded, 0);
      },
    });
  }

  /**
   * Folds a batch, decoded a slice at a time (LIVE_FOLD_SLICE), and commits it, or with
   * 'behind' hands it over to be committed while the caller goes on.
   */
  private async applyUndecoded(batch: UndecodedBatch, commit: 'before-return' | 'behind' = 'before-return'): Promise<void | CommittedLater> {
    if (this.writeFailed) {
      // The consumer delivers again from the failed batch; the read model holds what committed.
      this.writeFailed = false;
      this.applied = await this.store.checkpoint();
      this.handedOver = this.applied;
    }
    const through = Math.max(this.applied, this.handedOver);
    if (batch.throughSeq <= through) return;
    const started = performance.now();
    let state = emptyProjectionState(this.options);
    let slice: PeriskopEvent[] = [];
    let sliceBytes = 0;
    let count = 0;
    let newestAt: number | null = null;
    const fold = async () => {
      state = await this.store.load(slice, this.options, state);
      for (const event of slice) apply(state, event);
      count += slice.length;
      newestAt = newestEventAt(slice, newestAt);
      slice = [];
      sliceBytes = 0;
      // Lets I/O in between slices: the consumer's prefetch of the next batch (its requests,
      // the messages arriving) moves on only then; loads that hit the caches resolve as
      // microtasks, and a batch folded without a turn of the event loop left it stalled.
      await new Promise<void>((resolve) => setImmediate(resolve));
    };
    await batch.eachEvent(async ({ seq, event }, bytes) => {
      if (seq <= through) return;
      slice.push(event);
      sliceBytes += bytes;
      if (slice.length >= LIVE_FOLD_SLICE.events || sliceBytes >= LIVE_FOLD_SLICE.bytes) await fold();
    });
    if (slice.length > 0) await fold();
    if (commit === 'before-return') {
      await this.commitBatch(state, batch.throughSeq, count, started, newestAt);
      return;
    }
    const { committed } = await this.store.handOver(state, batch.throughSeq);
    this.handedOver = batch.throughSeq;
    // What the listeners are told, taken now, and the wait for the commit set up apart (its
    // callbacks would otherwise keep this scope's state alive): the state's occurrences are
    // views of the batch's log messages, megabytes, while the next batch is read and folded.
    this.afterCommit(committed, changesOf(state), batch.throughSeq, count, started, newestAt);
    return { committed };
  }

  /** Once `committed` settles: tells the listeners, or notes the failure (the consumer delivers the batch again). */
  private afterCommit(committed: Promise<void>, changes: BatchChanges, throughSeq: number, events: number, started: number, newestAt: number | null): void {
    const written = committed
      .then(
        () => this.committed(changes, throughSeq, events, started, newestAt),
        (error: unknown) => {
          this.writeFailed = true;
          this.logger.error(`commit through sequence ${throughSeq} failed; the batch is consumed again: ${(error as Error).message}`);
        },
      )
      .catch((error: unknown) => this.logger.error(`a listener of the batch through sequence ${throughSeq} failed: ${(error as Error).message}`));
    this.writing = written;
    void written.then(() => {
      if (this.writing === written) this.writing = null;
    });
  }

  private async commitBatch(state: ProjectionState, throughSeq: number, events: number, started: number, newestAt: number | null): Promise<void> {
    try {
      await this.store.commit(state, throughSeq);
    } catch (error) {
      // Another projector moved this partition on: continue from where it left the read model.
      if (error instanceof CheckpointMoved) this.applied = await this.store.checkpoint();
      throw error;
    }
    this.committed(changesOf(state), throughSeq, events, started, newestAt);
  }

  /** The read model shows the batch: tells the listeners and those waiting for it. */
  private committed(changes: BatchChanges, throughSeq: number, events: number, started: number, newestAt: number | null): void {
    this.applied = throughSeq;
    const applied: BatchApplied = { throughSeq, events, durationMs: performance.now() - started, ...changes, newestEventAt: newestAt };
    for (const listener of this.listeners) listener(applied);
    const ready = this.waiters.filter((w) => w.seq <= throughSeq);
    this.waiters = this.waiters.filter((w) => w.seq > throughSeq);
    for (const w of ready) w.resolve();
  }
}

type BatchChanges = Pick<BatchApplied, 'changedAggregates' | 'changedBreakdowns'>;

function changesOf(state: ProjectionState): BatchChanges {
  return {
    changedAggregates: [...state.changed.aggregates].map((id) => {
      const { service, aggregationKey, severity, totalCount } = state.aggregates.get(id)!;
      return { service, aggregationKey, severity, totalCount };
    }),
    changedBreakdowns: [...state.changed.breakdown].map((id) => state.breakdown.get(id)!),
  };
}

function passesCommitBound(state: ProjectionState, sizes: ReplaySizes): boolean {
  const { aggregates, targetTotals, buckets, targetRows, breakdown } = state.changed;
  return aggregates.size >= sizes.commitAggregates || targetTotals.size + buckets.size + targetRows.size + breakdown.size >= sizes.commitRecords;
}

function newestEventAt(events: PeriskopEvent[], newest: number | null): number | null {
  for (const event of events) newest = Math.max(newest ?? event.at, event.at);
  return newest;
}
