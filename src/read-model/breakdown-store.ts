import type { SqlEntityManager } from '@mikro-orm/knex';
import { breakdownId, type BreakdownCount } from '../projector/breakdown.js';
import type { ProjectionState } from '../projector/projection.js';
import { ErrorBreakdownEntity } from './entities.js';
import { rowId } from './row-id.js';
import { IN_LIST_CHUNK } from './row-upsert.js';
import type { RowWrites } from './row-writes.js';

// The projection store's part for error_breakdown: every value of the errors a batch may
// count (which value a target carries is known only at apply time), and the changed ones back.
// Like the aggregates, what was written recently stays in memory (one projector writes a read
// model at a time), so consecutive batches touching the same errors do not read them back.

export class BreakdownRecords {
  /** By aggregated_error row id: every value of that error. */
  private readonly cached = new Map<string, BreakdownCount[]>();
  /**
   * While rebuilding an emptied read model alone (ProjectionStore.startRebuild): the errors
   * dropped from the cache. Any other error not cached has no value stored.
   */
  private evictedInRebuild: Set<string> | null = null;

  constructor(private readonly maxCachedErrors: number) {}

  forget(): void {
    this.cached.clear();
    this.evictedInRebuild = null;
  }

  startRebuild(): void {
    this.forget();
    this.evictedInRebuild = new Set();
  }

  /** The errors not cached are asked of the database again (the cache stays). */
  endRebuild(): void {
    this.evictedInRebuild = null;
  }

  /** How many dropped errors the rebuild's knowledge holds. */
  get evictedNoted(): number {
    return this.evictedInRebuild?.size ?? 0;
  }

  /** `settled` resolves once the database holds every write handed over (it is read only if needed). */
  async load(em: SqlEntityManager, state: ProjectionState, errors: { service: string; key: string }[], settled: () => Promise<void>): Promise<void> {
    const missing: string[] = [];
    for (const id of new Set(errors.map((e) => rowId(e.service, e.key)))) {
      const counts = this.cached.get(id);
      if (counts) for (const c of counts) keepNewer(state, c);
      else if (!this.evictedInRebuild || this.evictedInRebuild.has(id)) missing.push(id);
    }
    if (missing.length > 0) await settled();
    for (let i = 0; i < missing.length; i += IN_LIST_CHUNK) {
      const chunk = missing.slice(i, i + IN_LIST_CHUNK);
      const found = new Map<string, BreakdownCount[]>(chunk.map((id) => [id, []]));
      const rows = await em.find(ErrorBreakdownEntity, { aggregateId: { $in: chunk } }, { disableIdentityMap: true });
      for (const { id: _id, aggregateId, ...count } of rows) {
        keepNewer(state, count);
        found.get(aggregateId)!.push(count);
      }
      for (const [id, counts] of found) this.remember(id, counts);
    }
  }

  write(writes: RowWrites, state: ProjectionState): void {
    const rows = [...state.changed.breakdown].map((id) => {
      const c = state.breakdown.get(id)!;
      return {
        id: rowId(c.service, c.aggregationKey, c.label, c.value),
        aggregate_id: rowId(c.service, c.aggregationKey),
        service: c.service,
        aggregation_key: c.aggregationKey,
        label: c.label,
        value: c.value,
        count: c.count,
        first_seen: c.firstSeen,
      };
    });
    writes.upsert('error_breakdown', rows);
  }

  /** After a commit: the batch's values become what the cache holds for their errors. */
  committed(state: ProjectionState): void {
    const byError = new Map<string, BreakdownCount[]>();
    for (const c of state.breakdown.values()) {
      const id = rowId(c.service, c.aggregationKey);
      const counts = byError.get(id);
      if (counts) counts.push(c);
      else byError.set(id, [c]);
    }
    for (const [id, counts] of byError) this.remember(id, counts);
  }

  private remember(id: string, counts: BreakdownCount[]): void {
    this.cached.delete(id);
    this.cached.set(id, counts);
    if (this.cached.size > this.maxCachedErrors) {
      const oldest = this.cached.keys().next().value as string;
      this.cached.delete(oldest);
      this.evictedInRebuild?.add(oldest);
    }
  }
}

/** A working set carried over several batches (replay) holds values newer than the database's. */
function keepNewer(state: ProjectionState, count: BreakdownCount): void {
  const id = breakdownId(count.service, count.aggregationKey, count.label, count.value);
  if (!state.breakdown.has(id)) state.breakdown.set(id, count);
}
