import type { SqlEntityManager } from '@mikro-orm/knex';
import { breakdownId, type BreakdownCount } from '../projector/breakdown.js';
import type { ProjectionState } from '../projector/projection.js';
import { ErrorBreakdownEntity } from './entities.js';
import { rowId } from './row-id.js';

// The projection store's part for error_breakdown: every value of the errors a batch may
// count (which value a target carries is known only at apply time), and the changed ones back.
// Like the aggregates, what was written recently stays in memory (one projector writes a read
// model at a time), so consecutive batches touching the same errors do not read them back.

const IN_LIST_CHUNK = 500;
const MAX_CACHED_ERRORS = 5_000;

export class BreakdownRecords {
  /** By aggregated_error row id: every value of that error. */
  private readonly cached = new Map<string, BreakdownCount[]>();

  forget(): void {
    this.cached.clear();
  }

  async load(em: SqlEntityManager, state: ProjectionState, errors: { service: string; key: string }[]): Promise<void> {
    const missing: string[] = [];
    for (const id of new Set(errors.map((e) => rowId(e.service, e.key)))) {
      const counts = this.cached.get(id);
      if (counts) for (const c of counts) state.breakdown.set(breakdownId(c.service, c.aggregationKey, c.label, c.value), c);
      else missing.push(id);
    }
    for (let i = 0; i < missing.length; i += IN_LIST_CHUNK) {
      const chunk = missing.slice(i, i + IN_LIST_CHUNK);
      const found = new Map<string, BreakdownCount[]>(chunk.map((id) => [id, []]));
      const rows = await em.find(ErrorBreakdownEntity, { aggregateId: { $in: chunk } }, { disableIdentityMap: true });
      for (const { id: _id, aggregateId, ...count } of rows) {
        state.breakdown.set(breakdownId(count.service, count.aggregationKey, count.label, count.value), count);
        found.get(aggregateId)!.push(count);
      }
      for (const [id, counts] of found) this.remember(id, counts);
    }
  }

  async write(em: SqlEntityManager, state: ProjectionState): Promise<void> {
    const rows = [...state.changed.breakdown].map((id) => {
      const count = state.breakdown.get(id)!;
      return { id: rowId(count.service, count.aggregationKey, count.label, count.value), aggregateId: rowId(count.service, count.aggregationKey), ...count };
    });
    for (let i = 0; i < rows.length; i += 200) {
      await em.createQueryBuilder(ErrorBreakdownEntity).insert(rows.slice(i, i + 200)).onConflict('id').merge().execute();
    }
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
    if (this.cached.size > MAX_CACHED_ERRORS) this.cached.delete(this.cached.keys().next().value as string);
  }
}
