import type { EventStore } from '../events/event-store.js';
import { Projector } from '../projector/projector.js';
import type { AggregatedError } from '../read-model/aggregate-rows.js';
import { ProjectionStore } from '../read-model/projection-store.js';
import { ReadModelDatabase } from '../read-model/read-model-database.js';
import { ReadModelQueries } from '../read-model/read-model-queries.js';
import { ConcurrencyLimit } from '../concurrency/concurrency-limit.js';
import { assertLogHoldsAfter } from './history-gone.js';
import { decodeSnapshot, restoreRows, unusableBecause, type SnapshotRow } from './read-model-snapshot.js';
import type { SnapshotInfo, SnapshotStore } from './snapshot-store.js';

// A service as it stood at a past time, built from the log, not from the current read model:
// the newest snapshot from before that time (that service's rows of it) is restored into a
// throwaway in-memory read model, then that service's later events up to the time are folded
// by the projector, and the same queries answer. The cost is bounded by one snapshot's rows
// of the service plus the service's events since it (at most snapshot_every in all).

const FOLD_BATCH = 5_000;
const CACHED_SNAPSHOTS = 2;
/** Answers built at once; each holds a read model in memory and a share of the CPU. */
const CONCURRENT_ANSWERS = 2;

interface CachedSnapshot {
  seq: number;
  unusable: string | null;
  byService: Map<string | null, SnapshotRow[]>;
}

export interface ServiceAtTime<T> {
  /** What `read` answered; null when the service was unknown at that time. */
  answer: T | null;
  /** The snapshot the answer started from (0: the start of the log) and the events folded on top. */
  fromSeq: number;
  eventsFolded: number;
}

export class TimeTravel {
  /** Recently used snapshots, parsed and split by service; oldest use first. */
  private readonly cache = new Map<string, Promise<CachedSnapshot>>();
  private readonly answering = new ConcurrencyLimit(CONCURRENT_ANSWERS);

  constructor(
    private readonly events: EventStore,
    private readonly snapshots: SnapshotStore | null,
  ) {}

  /** Unresolved errors of the service at `at`, most recent first (the Go route's rows). */
  openErrorsAt(service: string, at: number, newSince: number | null = null): Promise<ServiceAtTime<AggregatedError[]>> {
    return this.serviceAt(service, at, (queries) => queries.openErrors(service, newSince));
  }

  /**
   * Asks `read` the read model as the service stood at `at` (a read model of that service
   * alone). Throws HistoryGone when the log no longer holds the events that takes.
   */
  serviceAt<T>(service: string, at: number, read: (queries: ReadModelQueries) => Promise<T>): Promise<ServiceAtTime<T>> {
    return this.answering.run(() => this.build(service, at, read));
  }

  private async build<T>(service: string, at: number, read: (queries: ReadModelQueries) => Promise<T>): Promise<ServiceAtTime<T>> {
    const db = await ReadModelDatabase.create({ type: 'memory' });
    try {
      await db.ready();
      const fromSeq = await this.restoreFrom(db, service, at);
      assertLogHoldsAfter(fromSeq, await this.events.oldest(), () => `the state of ${service} at ${new Date(at).toISOString()}`);
      const eventsFolded = await this.fold(db, service, fromSeq, at);
      const queries = new ReadModelQueries(db);
      const answer = (await queries.serviceExists(service)) ? await read(queries) : null;
      return { answer, fromSeq, eventsFolded };
    } finally {
      await db.close();
    }
  }

  /** Restores the service's rows of the newest usable snapshot from before `at`; its sequence, or 0. */
  private async restoreFrom(db: ReadModelDatabase, service: string, at: number): Promise<number> {
    const candidates = (this.snapshots ? await this.snapshots.list() : []).filter((s) => s.at <= at).reverse();
    for (const info of candidates) {
      const snapshot = await this.load(info);
      if (snapshot.unusable) continue;
      await restoreRows(db, snapshot.seq, [...(snapshot.byService.get(null) ?? []), ...(snapshot.byService.get(service) ?? [])]);
      return snapshot.seq;
    }
    return 0;
  }

  /** Folds the service's events after `fromSeq`, stopping at the first one past `at`. */
  private async fold(db: ReadModelDatabase, service: string, fromSeq: number, at: number): Promise<number> {
    const store = new ProjectionStore(db);
    // Commits move the checkpoint only from where the store last saw it: the restored snapshot's.
    await store.checkpoint();
    const projector = new Projector(this.events, store);
    let folded = 0;
    for (let seq = fromSeq + 1; ; ) {
      const { events, throughSeq } = await this.events.readService(service, seq, FOLD_BATCH);
      if (throughSeq < seq) return folded;
      // Events of one service are appended in time order: the first one past `at` ends it.
      const past = events.findIndex((recorded) => recorded.event.at > at);
      const taken = past === -1 ? events : events.slice(0, past);
      if (taken.length > 0) await projector.applyBatch(taken, past === -1 ? throughSeq : taken.at(-1)!.seq);
      folded += taken.length;
      if (past !== -1) return folded;
      seq = throughSeq + 1;
    }
  }

  private load(info: SnapshotInfo): Promise<CachedSnapshot> {
    let cached = this.cache.get(info.name);
    if (cached) {
      this.cache.delete(info.name);
    } else {
      cached = this.read(info);
      cached.catch(() => this.cache.delete(info.name));
    }
    this.cache.set(info.name, cached);
    if (this.cache.size > CACHED_SNAPSHOTS) this.cache.delete(this.cache.keys().next().value!);
    return cached;
  }

  private async read(info: SnapshotInfo): Promise<CachedSnapshot> {
    const snapshot = decodeSnapshot(await this.snapshots!.get(info), info.name);
    const byService = new Map<string | null, SnapshotRow[]>();
    for (const row of snapshot.rows) {
      let rows = byService.get(row.service);
      if (!rows) byService.set(row.service, (rows = []));
      rows.push(row);
    }
    return { seq: snapshot.seq, unusable: unusableBecause(snapshot), byService };
  }
}
