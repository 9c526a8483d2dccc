import type { SqlEntityManager } from '@mikro-orm/knex';
import { breakdownId } from '../projector/breakdown.js';
import type { ProjectionState } from '../projector/projection.js';
import { ErrorBreakdownEntity } from './entities.js';
import { rowId } from './row-id.js';

// The projection store's part for error_breakdown: every value of the errors a batch may
// count (which value a target carries is known only at apply time), and the changed ones back.

const IN_LIST_CHUNK = 500;

export async function loadBreakdowns(em: SqlEntityManager, state: ProjectionState, errors: { service: string; key: string }[]): Promise<void> {
  const ids = [...new Set(errors.map((e) => rowId(e.service, e.key)))];
  for (let i = 0; i < ids.length; i += IN_LIST_CHUNK) {
    const rows = await em.find(ErrorBreakdownEntity, { aggregateId: { $in: ids.slice(i, i + IN_LIST_CHUNK) } }, { disableIdentityMap: true });
    for (const { id: _id, aggregateId: _aggregateId, ...count } of rows) {
      state.breakdown.set(breakdownId(count.service, count.aggregationKey, count.label, count.value), count);
    }
  }
}

export async function writeBreakdowns(em: SqlEntityManager, state: ProjectionState): Promise<void> {
  const rows = [...state.changed.breakdown].map((id) => {
    const count = state.breakdown.get(id)!;
    return { id: rowId(count.service, count.aggregationKey, count.label, count.value), aggregateId: rowId(count.service, count.aggregationKey), ...count };
  });
  for (let i = 0; i < rows.length; i += 200) {
    await em.createQueryBuilder(ErrorBreakdownEntity).insert(rows.slice(i, i + 200)).onConflict('id').merge().execute();
  }
}
