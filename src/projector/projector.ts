import { Logger } from '@nestjs/common';
import type { RecordedEvent } from '../events/events.js';
import type { EventStore } from '../events/event-store.js';
import type { Subscription } from '../events/event-log.js';
import type { ProjectionStore } from '../read-model/projection-store.js';
import type { AggregateState } from './aggregate-rules.js';
import { apply, type ProjectionState } from './projection.js';

export const PROJECTOR_CONSUMER = 'periskop-projector';
const MAX_BATCH = 500;
/** Events read per step of a rebuild. */
const REPLAY_READ_BATCH = 5_000;
/**
 * A rebuild folds this many events in memory before one commit: each touched error (with its
 * up to 100 occurrences) is written once per commit, not once per read batch.
 */
const REPLAY_COMMIT_EVENTS = 100_000;

export interface BatchApplied {
  throughSeq: number;
  events: number;
  durationMs: number;
  changedAggregates: AggregateState[];
}

/**
 * Folds the event log into the read model, one batch per transaction. The checkpoint (last
 * applied sequence) is committed with the batch, so a redelivered or replayed event at or
 * below it is skipped: each event takes effect exactly once.
 */
export class Projector {
  private readonly logger = new Logger('Projector');
  private subscription: Subscription | null = null;
  private applied = 0;
  private waiters: { seq: number; resolve: () => void }[] = [];
  private listeners: ((batch: BatchApplied) => void)[] = [];

  constructor(
    private readonly events: EventStore,
    private readonly store: ProjectionStore,
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
    if (this.applied > head) {
      // The read model is ahead of the log: the log was replaced. Rebuild from it.
      this.logger.warn(`read model checkpoint ${this.applied} is past the log head ${head}: rebuilding the read model`);
      await this.store.reset();
      this.applied = 0;
    }
    if (head > this.applied) this.logger.log(`catching up from sequence ${this.applied + 1} to ${head}`);
    this.subscription = this.events.consume(
      { name: PROJECTOR_CONSUMER, fromSeq: this.applied + 1, maxBatch: MAX_BATCH },
      (batch, throughSeq) => this.applyBatch(batch, throughSeq),
    );
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = null;
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
    await this.store.reset();
    this.applied = 0;
    const head = await this.events.head();
    let count = 0;
    let read = 0;
    let state: ProjectionState | undefined;
    let pending = 0;
    let started = performance.now();
    while (read < head) {
      const { events, throughSeq } = await this.events.read(read + 1, REPLAY_READ_BATCH);
      if (throughSeq <= read) break;
      const batch = events.map((r) => r.event);
      state = await this.store.load(batch, state);
      for (const event of batch) apply(state, event);
      read = throughSeq;
      pending += batch.length;
      count += batch.length;
      if (pending >= REPLAY_COMMIT_EVENTS || read >= head) {
        await this.commitBatch(state, read, pending, started);
        state = undefined;
        pending = 0;
        started = performance.now();
        onProgress?.(this.applied, head);
      }
    }
    if (state) await this.commitBatch(state, read, pending, started);
    return count;
  }

  async applyBatch(batch: RecordedEvent[], throughSeq: number): Promise<void> {
    if (throughSeq <= this.applied) return;
    const started = performance.now();
    const fresh = batch.filter((r) => r.seq > this.applied);
    const state = await this.store.load(fresh.map((r) => r.event));
    for (const { event } of fresh) apply(state, event);
    await this.commitBatch(state, throughSeq, fresh.length, started);
  }

  private async commitBatch(state: ProjectionState, throughSeq: number, events: number, started: number): Promise<void> {
    await this.store.commit(state, throughSeq);
    this.applied = throughSeq;
    const applied: BatchApplied = {
      throughSeq,
      events,
      durationMs: performance.now() - started,
      changedAggregates: [...state.changed.aggregates].map((id) => state.aggregates.get(id)!),
    };
    for (const listener of this.listeners) listener(applied);
    const ready = this.waiters.filter((w) => w.seq <= throughSeq);
    this.waiters = this.waiters.filter((w) => w.seq > throughSeq);
    for (const w of ready) w.resolve();
  }
}
