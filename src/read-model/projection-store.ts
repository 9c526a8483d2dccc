import type { SqlEntityManager } from '@mikro-orm/knex';
import type { PeriskopEvent } from '../events/events.js';
import { LATEST_ERRORS_CAP, type AggregateState, type FoldedOccurrence } from '../projector/aggregate-rules.js';
import { emptyProjectionState, forEachRecordNeeded, type NeededRecords, type ProjectionState, type TargetState } from '../projector/projection.js';
import {
  AggregatedErrorEntity,
  CheckpointEntity,
  READ_MODEL_ENTITIES,
  OccurrenceBucketEntity,
  ServiceEntity,
  TargetTotalsEntity,
  TargetEntity,
  type AggregatedErrorRow,
  type TargetRow,
} from './entities.js';
import type { ReadModelDatabase } from './read-model-database.js';
import { BreakdownRecords } from './breakdown-store.js';
import { breakdownAggregatesNeeded } from '../projector/breakdown.js';
import { DEFAULT_PROJECTION_OPTIONS, type ProjectionOptions } from '../projector/projection-options.js';
import { rowId, RowIdMemo } from './row-id.js';
import { TargetTotalsCache } from './target-totals-cache.js';
import { targetTotals } from '../projector/target-totals.js';
import { totalsOfText } from './target-totals-row.js';
import { IN_LIST_CHUNK, RowWriter } from './row-upsert.js';
import { RowWrites, type CheckpointMove, type WritePlan } from './row-writes.js';
import { CheckpointNotAt } from './sqlite-row-writes.js';
import type { BucketStep } from '../projector/occurrence-buckets.js';
import { aggregateId, parseBucketId, targetTotalsId } from '../projector/record-ids.js';
import { selectStoredOccurrences, StoredOccurrence } from './occurrence-pages.js';
import { BatchRows, storedBucketId, type CachedBucket, type WrittenPage } from './batch-rows.js';

/** The checkpoint row of the projector (snapshots record and restore it). */
export const PROJECTOR_CHECKPOINT = 'projector';

/** The checkpoint row is not where this store left it: another projector wrote the partition. */
export class CheckpointMoved extends Error {
  constructor(name: string, expected: number) {
    super(`checkpoint ${name} is no longer at ${expected}: another projector applied this partition; batch rolled back`);
  }
}

function chunks<T>(items: T[], size = IN_LIST_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// Records recently written stay in memory, so consecutive batches touching the same errors do
// not read back (and parse) what they just wrote. Sound because one projector writes a read
// model at a time; bounded, oldest dropped first.
export interface CacheBounds {
  aggregates: number;
  targetTotals: number;
  targetLists: number;
  buckets: number;
  breakdownErrors: number;
  /** Dropped ids a live store's knowledge of an empty start may hold (knowEmpty) before it is given up. */
  knownDroppedIds: number;
}

export const DEFAULT_CACHE_BOUNDS: CacheBounds = {
  aggregates: 5_000,
  targetTotals: 500_000,
  targetLists: 1_000,
  // Two per error being counted in (this minute's and this hour's), with room for late events.
  buckets: 200_000,
  breakdownErrors: 5_000,
  // A few MB of ids.
  knownDroppedIds: 50_000,
};

/** Where a cache notes the ids it drops: a rebuild's knowledge, the write in flight's (Evicted). */
interface EvictionNotes<K> {
  add(key: K): unknown;
}

/** Keeps `key` as the newest entry; the oldest one beyond `max` is dropped (and noted in `evicted`). */
function remember<K, V>(cache: Map<K, V>, key: K, value: V, max: number, evicted?: EvictionNotes<K>): void {
  cache.delete(key);
  cache.set(key, value);
  if (cache.size > max) {
    const oldest = cache.keys().next().value as K;
    cache.delete(oldest);
    evicted?.add(oldest);
  }
}

/**
 * What a store rebuilding the read model knows (startRebuild; knowEmpty likewise): it emptied the read model and
 * alone writes it, so the database holds a record only if this store wrote it, and every
 * record written stays in the caches unless dropped from them. A record neither cached nor
 * dropped does not exist: loading it needs no query. By kind, the ids dropped from the caches.
 */
interface RebuildKnowledge extends DroppedIds {
  /**
   * How many dropped ids it may hold before it is given up (the store then asks the database
   * again): bounded for a live projector that found the read model empty (knowEmpty), which
   * runs for months; null for a rebuild, which ends.
   */
  bound: number | null;
}

/** By kind, ids of records dropped from the caches. */
interface DroppedIds {
  aggregates: Set<string>;
  targetTotals: Set<string>;
  buckets: Set<string>;
  targets: Set<string>;
}

/**
 * By kind, the ids the caches dropped when the write in flight was handed over: records it
 * writes that are no longer cached. A load reads them only once it has committed; any other
 * record the database holds is as it will be after the write (cached records are read from
 * the caches).
 */
interface Evicted extends DroppedIds {
  /** Buckets older than these (by step) are deleted by the write: read them once it committed. */
  bucketsBefore: Record<BucketStep, number> | null;
}

function noEvictions(): Evicted {
  return { aggregates: new Set(), targetTotals: new Set(), buckets: new Set(), targets: new Set(), bucketsBefore: null };
}

/** Notes an id in each set given. */
function notedIn<K>(...sets: (Set<K> | undefined)[]): EvictionNotes<K> {
  return { add: (key) => sets.forEach((set) => set?.add(key)) };
}

/** Reads the records a batch of events needs and writes back what the batch changed. */
export class ProjectionStore {
  private readonly cached = {
    services: new Set<string>(),
    /** As committed: an aggregate's latestErrors are the occurrences the database holds, by identity and page (StoredOccurrence). */
    aggregates: new Map<string, AggregateState>(),
    /** The minute and hour buckets being counted in, so each batch does not read them back. */
    buckets: new Map<string, CachedBucket>(),
    /** Each service's whole target list: a scrape's snapshot updates one of them. */
    targets: new Map<string, Map<string, TargetState>>(),
  };

  /** Row ids by aggregateId, and by service name: each error and service is named in several rows of every batch. */
  private readonly aggregateRowIds = new RowIdMemo();
  private readonly serviceRowIds = new RowIdMemo();
  private readonly targetTotalsRowIds = new RowIdMemo();

  /** Each target's last totals, as committed (kept apart: its own layout, see TargetTotalsCache). */
  private readonly cachedTargetTotals: TargetTotalsCache;

  private readonly breakdowns: BreakdownRecords;

  /** The rows each batch writes, from what the caches above know. */
  private readonly rows: BatchRows;

  /**
   * By aggregateId: the occurrences the database holds for each aggregate loaded since the last
   * commit (the list as loaded), so a commit inserts the occurrences a batch added and deletes
   * those it pushed out instead of rewriting every aggregate's hundred.
   */
  private readonly storedOccurrences = new Map<string, readonly FoldedOccurrence[]>();

  /** The checkpoint as this store last read or wrote it; a commit only moves it from there. */
  private expectedCheckpoint = 0;

  /** Set while rebuilding from an empty read model (startRebuild); null: ask the database. */
  private rebuild: RebuildKnowledge | null = null;

  /**
   * A rebuild's transaction opened ahead of its commit (writeBucketsAhead), with the bucket
   * counts written in it so far; the next commit writes the rest in it and commits it.
   */
  private ahead: { em: SqlEntityManager; buckets: Map<string, number> } | null = null;

  /** The write handed over and not yet committed (at most one is): settles, never rejects. */
  private inFlight: Promise<void> | null = null;
  /** What the caches dropped when the write in flight was handed over. */
  private evictedInFlight: Evicted = noEvictions();

  /**
   * Why the last write handed over failed. Every later hand-over and database read fails with
   * it until the checkpoint is read again: the batches folded since assumed it committed.
   */
  private failedWrite: Error | null = null;

  constructor(
    private readonly db: ReadModelDatabase,
    /** One row per stream partition (`projector.p<k>`); `projector` with one partition. */
    private readonly checkpointName = PROJECTOR_CHECKPOINT,
    /** How many records of each kind stay in memory after a commit (tests make them small). */
    private readonly cacheBounds: CacheBounds = DEFAULT_CACHE_BOUNDS,
  ) {
    this.cachedTargetTotals = new TargetTotalsCache(cacheBounds.targetTotals);
    this.breakdowns = new BreakdownRecords(cacheBounds.breakdownErrors);
    this.rows = new BatchRows({
      aggregateRowIds: this.aggregateRowIds,
      serviceRowIds: this.serviceRowIds,
      targetTotalsRowIds: this.targetTotalsRowIds,
      storedOccurrences: this.storedOccurrences,
      buckets: this.cached.buckets,
      breakdowns: this.breakdowns,
    });
  }

  private forget(): void {
    this.rebuild = null;
    this.ahead = null;
    this.breakdowns.forget();
    this.cached.services.clear();
    this.cached.aggregates.clear();
    this.cached.buckets.clear();
    this.storedOccurrences.clear();
    this.cachedTargetTotals.clear();
    this.cached.targets.clear();
  }

  /** The checkpoint as committed; after a failed write, where the caller must start again. */
  async checkpoint(): Promise<number> {
    await this.inFlight;
    this.failedWrite = null;
    const row = await this.db.fork().findOne(CheckpointEntity, { name: this.checkpointName }, { disableIdentityMap: true });
    this.expectedCheckpoint = row?.seq ?? 0;
    return this.expectedCheckpoint;
  }

  /** Empties the read model, checkpoint included. */
  async reset(): Promise<void> {
    await this.inFlight;
    this.failedWrite = null;
    this.forget();
    await this.db.clear();
    this.expectedCheckpoint = 0;
  }

  /**
   * Empties the read model for a rebuild (`periskop replay`) that this store alone writes until
   * it ends: loads then read only records this store wrote and dropped from its caches, not
   * every record a batch needs that is not cached (at the start of a replay: all of them).
   * A failed commit ends it (the database may or may not hold the batch).
   */
  async startRebuild(): Promise<void> {
    await this.reset();
    this.rebuild = { aggregates: new Set(), targetTotals: new Set(), buckets: new Set(), targets: new Set(), bound: null };
    this.breakdowns.startRebuild();
  }

  /**
   * For a live projector starting from checkpoint 0: when no table the projection writes holds
   * a row, a record this store has not written does not exist, as in a rebuild, so loads ask
   * the database only for what the caches dropped (a first catch-up otherwise queried for
   * every record it met first: 240 queries per 20,000 events, a fifth of the projector's
   * time). Nothing is emptied. The knowledge ends with a failed write, or once it notes more
   * dropped ids than CacheBounds.knownDroppedIds. Another projector committing to the read model
   * meanwhile makes this one's next commit fail (fencing), so its knowledge with it.
   * Returns whether the read model was empty.
   */
  async knowEmpty(): Promise<boolean> {
    await this.settled();
    const knex = this.db.fork().getKnex();
    for (const schema of READ_MODEL_ENTITIES) {
      if (schema === CheckpointEntity) continue;
      const any = (await knex(schema.meta.tableName).select(knex.raw('1 as found')).limit(1)) as unknown[];
      if (any.length > 0) return false;
    }
    this.rebuild = { aggregates: new Set(), targetTotals: new Set(), buckets: new Set(), targets: new Set(), bound: this.cacheBounds.knownDroppedIds };
    this.breakdowns.startRebuild();
    return true;
  }

  /**
   * The records `events` need. With `into`, adds them to a working set that earlier batches
   * already changed (not yet committed): what it holds is newer than the database and stays.
   */
  async load(events: PeriskopEvent[], options: ProjectionOptions = DEFAULT_PROJECTION_OPTIONS, into?: ProjectionState): Promise<ProjectionState> {
    const state = into ?? emptyProjectionState(options);
    const aggregateIds = new Map<string, string>();
    const totalsIds = new Map<string, string>();
    const bucketIds = new Map<string, string>();
    const services = new Set<string>();
    const targetServices = new Set<string>();
    const rebuild = this.rebuild;
    const inFlight = this.inFlight ? this.evictedInFlight : null;
    let readsWriteInFlight = false;
    const needed: NeededRecords = {
      aggregate: (id, service, key) => {
        if (state.aggregates.has(id)) return;
        const cached = this.cached.aggregates.get(id);
        if (cached) {
          state.aggregates.set(id, cached);
          this.storedOccurrences.set(id, cached.latestErrors);
        } else if (rebuild && !rebuild.aggregates.has(id)) {
          this.storedOccurrences.set(id, NONE_STORED);
        } else {
          aggregateIds.set(this.aggregateRowIds.of(id, service, key), id);
          readsWriteInFlight ||= inFlight?.aggregates.has(id) === true;
        }
      },
      targetTotals: (id, service, targetUuid) => {
        if (state.targetTotals.has(id)) return;
        const cached = this.cachedTargetTotals.get(id);
        if (cached) state.targetTotals.set(id, targetTotals(cached));
        else if (!rebuild || rebuild.targetTotals.has(id)) {
          totalsIds.set(this.targetTotalsRowIds.of(id, service, targetUuid), id);
          readsWriteInFlight ||= inFlight?.targetTotals.has(id) === true;
        }
      },
      bucket: (id) => {
        if (state.buckets.has(id)) return;
        const cached = this.cached.buckets.get(id);
        if (cached) state.buckets.set(id, cached.count);
        else if (!rebuild || rebuild.buckets.has(id)) {
          bucketIds.set(bucketRowId(id), id);
          readsWriteInFlight ||= inFlight !== null && (inFlight.buckets.has(id) || deletedByRetention(id, inFlight.bucketsBefore));
        }
      },
      targetsOf: (service) => {
        if (state.targets.has(service)) return;
        const cached = this.cached.targets.get(service);
        if (cached) state.targets.set(service, cached);
        else if (!rebuild || rebuild.targets.has(service)) {
          targetServices.add(service);
          readsWriteInFlight ||= inFlight?.targets.has(service) === true;
        } else state.targets.set(service, new Map());
      },
    };
    for (const event of events) {
      if (this.cached.services.has(event.service)) state.services.add(event.service);
      else if (!rebuild) services.add(event.service);
      forEachRecordNeeded(event, needed);
    }
    // What the database holds must include the write in flight: it may have changed these.
    if (readsWriteInFlight || this.failedWrite) await this.settled();
    const breakdownErrors = breakdownAggregatesNeeded(events, options);
    // Everything in the caches (a live projector's usual batch): no entity manager to set up.
    if (services.size + aggregateIds.size + totalsIds.size + bucketIds.size + targetServices.size + breakdownErrors.length === 0) return state;
    const em = this.db.fork();
    for (const ids of chunks([...services].map((s) => rowId(s)))) {
      for (const row of await em.find(ServiceEntity, { id: { $in: ids } }, { disableIdentityMap: true })) state.services.add(row.name);
    }
    for (const ids of chunks([...aggregateIds.keys()])) {
      const rows = await em.find(AggregatedErrorEntity, { id: { $in: ids } }, { disableIdentityMap: true });
      const occurrences = await selectStoredOccurrences(em.getKnex(), rows.map((row) => row.id));
      for (const row of rows) {
        const stored = occurrences.get(row.id) ?? [];
        state.aggregates.set(aggregateIdOf(row), toAggregateState(row, stored));
        this.storedOccurrences.set(aggregateIdOf(row), stored);
      }
    }
    // Not in the database: new aggregates, no occurrence stored yet.
    for (const id of aggregateIds.values()) if (!this.storedOccurrences.has(id)) this.storedOccurrences.set(id, NONE_STORED);
    for (const ids of chunks([...totalsIds.keys()])) {
      for (const row of await em.find(TargetTotalsEntity, { id: { $in: ids } }, { disableIdentityMap: true })) {
        state.targetTotals.set(targetTotalsId(row.service, row.targetUuid), targetTotals(totalsOfText(row.totals, `target_totals row ${row.id} (service ${JSON.stringify(row.service)}, target_uuid ${JSON.stringify(row.targetUuid)})`)));
      }
    }
    for (const ids of chunks([...bucketIds.keys()])) {
      for (const row of await em.find(OccurrenceBucketEntity, { id: { $in: ids } }, { disableIdentityMap: true })) state.buckets.set(bucketIds.get(row.id)!, row.count);
    }
    for (const s of targetServices) state.targets.set(s, new Map());
    for (const names of chunks([...targetServices])) {
      for (const row of await em.find(TargetEntity, { serviceId: { $in: names.map((n) => rowId(n)) } })) {
        state.targets.get(row.service)!.set(row.url, toTargetState(row));
      }
    }
    await this.breakdowns.load(em, state, breakdownErrors, () => this.settled());
    em.clear();
    return state;
  }

  /**
   * During a rebuild, writes bucket counts into the transaction of the next commit before it
   * comes (opening it): a parallel replay writes the buckets its workers are done counting
   * while they fold on, instead of all of them in its last commit, which nothing overlaps
   * (200,000 rows, 3 s at 1,000,000 events). A later count of the same bucket overwrites it.
   * Returns how many were written.
   */
  async writeBucketsAhead(counts: ReadonlyMap<string, number>): Promise<number> {
    if (!this.rebuild) throw new Error('buckets are written ahead of a commit only while rebuilding');
    if (counts.size === 0) return 0;
    if (!this.ahead) {
      const em = this.db.fork();
      await em.begin();
      this.ahead = { em, buckets: new Map() };
    }
    const { em, buckets } = this.ahead;
    try {
      await new RowWriter(em).upsert('occurrence_bucket', this.rows.bucketRows(counts.keys(), counts));
    } catch (error) {
      await this.abandonAhead();
      throw error;
    }
    for (const [id, count] of counts) buckets.set(id, count);
    return counts.size;
  }

  /** Rolls back what was written ahead of a commit that will not come (the rebuild failed). */
  async abandonAhead(): Promise<void> {
    const ahead = this.ahead;
    if (!ahead) return;
    this.forget();
    await ahead.em.rollback();
  }

  /** Writes the changes and the checkpoint in one transaction: all of the batch or none. */
  async commit(state: ProjectionState, throughSeq: number): Promise<void> {
    await (await this.handOver(state, throughSeq)).committed;
  }

  /**
   * Hands a batch over to be written behind the caller, in one transaction with the checkpoint:
   * resolves once this one's rows are fixed and the previous batch's write has committed;
   * `committed` settles with its own commit. The caches take the batch's records at once, so
   * the next batch folds on them while this one is written (a load that must read the
   * database waits for the write). A failed write empties the caches and fails every later
   * hand-over and load until checkpoint() is read again: the caller starts over from there.
   */
  async handOver(state: ProjectionState, throughSeq: number): Promise<{ committed: Promise<void> }> {
    if (this.failedWrite) throw this.failedWrite;
    // A commit's pages are named after its sequence (pageId): one commit per sequence.
    if (throughSeq <= this.expectedCheckpoint) throw new Error(`a commit through sequence ${throughSeq} after one through ${this.expectedCheckpoint}`);
    // The rows are laid out while the previous batch is still being written: they depend on
    // what the caches took at its hand-over, not on its commit. Waiting first left the
    // consuming thread idle for the rest of that write, then laying out while the writer idled.
    const writes = new RowWrites();
    const pages = this.rows.plan(writes, state, throughSeq);
    // Should the previous write fail meanwhile, this throws: the caches it emptied were read
    // before it failed, and the rows laid out from them are dropped with the batch.
    await this.settled();
    const checkpoint: CheckpointMove = { table: CheckpointEntity.meta.tableName, name: this.checkpointName, expected: this.expectedCheckpoint, seq: throughSeq };
    const plan: WritePlan = { writes: writes.writes, buffers: writes.buffers, checkpoint };
    const ahead = this.ahead;
    this.ahead = null;
    this.expectedCheckpoint = throughSeq;
    this.evictedInFlight = noEvictions();
    this.remember(state, pages, ahead?.buckets);
    const committed = this.execute(plan, ahead?.em).catch((error: unknown) => {
      // The database may or may not hold the batch: read everything afresh next time.
      this.forget();
      this.failedWrite = error instanceof CheckpointNotAt ? new CheckpointMoved(error.move.name, error.move.expected) : (error as Error);
      throw this.failedWrite;
    });
    const settled = committed.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight = settled;
    void settled.then(() => {
      if (this.inFlight === settled) this.inFlight = null;
    });
    return { committed };
  }

  /** Resolves once no write is in flight; throws if the last one failed. */
  private async settled(): Promise<void> {
    await this.inFlight;
    if (this.failedWrite) throw this.failedWrite;
  }

  /** The batch's records become what the caches hold (as the database will once it commits). */
  private remember(state: ProjectionState, pages: Map<string, WrittenPage>, writtenAhead: Map<string, number> | undefined): void {
    // Written ahead and not counted again since: cached like the batch's own.
    if (writtenAhead) for (const [id, count] of writtenAhead) if (!state.changed.buckets.has(id)) this.rememberBucket(id, count);
    for (const service of state.services) this.cached.services.add(service);
    // Every aggregate in the state was loaded by this store or written whole: its occurrences
    // are now the database's.
    const evicted = this.evictedInFlight;
    for (const [id, aggregate] of state.aggregates) {
      // What the database holds of the occurrences, no more: their bodies die with the batch.
      const stored = state.changed.aggregates.has(id) ? { ...aggregate, latestErrors: onPages(aggregate, pages.get(id)) } : aggregate;
      remember(this.cached.aggregates, id, stored, this.cacheBounds.aggregates, notedIn(this.rebuild?.aggregates, evicted.aggregates));
    }
    this.storedOccurrences.clear();
    this.rememberBuckets(state);
    const totalsEvicted = notedIn(this.rebuild?.targetTotals, evicted.targetTotals);
    for (const [id, totals] of state.targetTotals) this.cachedTargetTotals.remember(id, totals, totalsEvicted);
    for (const [service, targets] of state.targets) remember(this.cached.targets, service, targets, this.cacheBounds.targetLists, notedIn(this.rebuild?.targets, evicted.targets));
    this.breakdowns.committed(state);
    this.boundKnowledge();
  }

  /** Gives up a bounded knowledge of what does not exist once it holds too many dropped ids. */
  private boundKnowledge(): void {
    const knowledge = this.rebuild;
    if (knowledge?.bound == null) return;
    const { aggregates, targetTotals, buckets, targets } = knowledge;
    if (aggregates.size + targetTotals.size + buckets.size + targets.size + this.breakdowns.evictedNoted <= knowledge.bound) return;
    this.rebuild = null;
    this.breakdowns.endRebuild();
  }

  private rememberBucket(id: string, count: number): void {
    const cached = this.cached.buckets.get(id);
    if (cached) cached.count = count;
    else {
      const { step, start } = parseBucketId(id);
      remember(this.cached.buckets, id, { count, step, t: start }, this.cacheBounds.buckets, notedIn(this.rebuild?.buckets, this.evictedInFlight.buckets));
    }
  }

  /** Keeps the batch's buckets for the next batches, and forgets those retention dropped. */
  private rememberBuckets(state: ProjectionState): void {
    for (const id of state.changed.buckets) this.rememberBucket(id, state.buckets.get(id)!);
    if (state.newestAt === null) return;
    const cutoff = { '1m': state.newestAt - state.bucketRetentionMs['1m'], '1h': state.newestAt - state.bucketRetentionMs['1h'] };
    this.evictedInFlight.bucketsBefore = cutoff;
    for (const [id, bucket] of this.cached.buckets) {
      if (bucket.t >= cutoff[bucket.step]) continue;
      this.cached.buckets.delete(id);
      this.evictedInFlight.buckets.add(id);
    }
  }

  /**
   * Runs a plan in one transaction: the one opened ahead (writeBucketsAhead), the SQLite
   * writer thread's, or a transaction of its own.
   */
  private async execute(plan: WritePlan, ahead: SqlEntityManager | undefined): Promise<void> {
    if (ahead) {
      try {
        await new RowWriter(ahead).apply(plan.writes);
        await moveCheckpoint(ahead, plan.checkpoint);
        await ahead.commit();
      } catch (error) {
        await ahead.rollback().catch(() => undefined);
        throw error;
      }
      return;
    }
    const thread = this.db.writerThread();
    if (thread) return thread.write(plan);
    await this.db.fork().transactional(async (em) => {
      await new RowWriter(em).apply(plan.writes);
      await moveCheckpoint(em, plan.checkpoint);
    });
  }

}

/**
 * Fencing: the row moves only from the value the store expected when it planned the write, so
 * two projectors of one partition (a lease handed over while a batch was in flight) never
 * both apply a batch.
 */
async function moveCheckpoint(em: SqlEntityManager, { name, expected, seq }: CheckpointMove): Promise<void> {
  if (expected === 0) {
    // A concurrent first insert fails on the primary key and rolls this batch back.
    const existing = await em.findOne(CheckpointEntity, { name }, { disableIdentityMap: true });
    if (existing) throw new CheckpointMoved(name, expected);
    await em.createQueryBuilder(CheckpointEntity).insert({ name, seq }).execute();
    return;
  }
  const moved = await em.nativeUpdate(CheckpointEntity, { name, seq: expected }, { seq });
  if (moved !== 1) throw new CheckpointMoved(name, expected);
}

function deletedByRetention(bucketId: string, before: Record<BucketStep, number> | null): boolean {
  if (!before) return false;
  const { step, start } = parseBucketId(bucketId);
  return start < before[step];
}

function bucketRowId(id: string): string {
  return storedBucketId(parseBucketId(id));
}

const NONE_STORED: readonly FoldedOccurrence[] = [];

function aggregateIdOf(row: AggregatedErrorRow): string {
  return aggregateId(row.service, row.aggregationKey);
}

/** `stored` newest first; more than the cap only if written by something else than this store. */
function toAggregateState(row: AggregatedErrorRow, stored: FoldedOccurrence[]): AggregateState {
  return {
    service: row.service,
    aggregationKey: row.aggregationKey,
    severity: row.severity,
    totalCount: row.totalCount,
    createdAt: row.createdAt,
    lastSeen: row.lastSeen,
    resolvedAt: row.resolvedAt,
    resolvedCount: row.resolvedCount,
    reopenedAt: row.reopenedAt,
    latestErrors: stored.length > LATEST_ERRORS_CAP ? stored.slice(0, LATEST_ERRORS_CAP) : stored,
  };
}

/** An aggregate's latest occurrences as the database holds them once `written` (its page of the batch, if any) commits. */
function onPages(aggregate: AggregateState, written: WrittenPage | undefined): FoldedOccurrence[] {
  return aggregate.latestErrors.map((occurrence) => {
    if (StoredOccurrence.isOne(occurrence) && !written?.whole) return occurrence;
    if (!written) throw new Error(`occurrence ${occurrence.uuid} of ${aggregate.service} ${aggregate.aggregationKey} was written on no page`);
    return StoredOccurrence.on(written.page, occurrence);
  });
}

function toTargetState(row: TargetRow): TargetState {
  return {
    service: row.service,
    url: row.url,
    address: row.address,
    labels: row.labels,
    status: row.status,
    lastError: row.lastErrorReason
      ? { reason: row.lastErrorReason as NonNullable<TargetState['lastError']>['reason'], detail: row.lastErrorDetail ?? '' }
      : null,
    statusAt: row.statusAt,
  };
}

