import type { BreakdownCount } from '../projector/breakdown.js';
import { AggregatedErrorEntity, ErrorBreakdownEntity, OccurrenceBucketEntity, ServiceEntity, TargetEntity, type TargetRow } from './entities.js';
import type { ErrorSearch } from './error-search.js';
import type { AggregateTotal } from '../projector/aggregate-rules.js';
import type { ReadModelDatabase } from './read-model-database.js';
import { rowId } from './row-id.js';
import {
  selectOpenErrors,
  toAggregatedErrorRow,
  withNewestOccurrence,
  withOccurrences,
  type AggregatedError,
  type AggregatedErrorColumns,
  type AggregatedErrorSummary,
} from './aggregate-rows.js';
import { PROJECTOR_CHECKPOINT } from './projection-store.js';

/** What the API reads. Each call works on its own fork of the entity manager. */
export class ReadModelQueries {
  constructor(private readonly db: ReadModelDatabase) {}

  async services(): Promise<string[]> {
    const rows = await this.db.read((em) => em.find(ServiceEntity, {}));
    return rows.map((r) => r.name).sort();
  }

  async serviceExists(service: string): Promise<boolean> {
    return (await this.db.read((em) => em.count(ServiceEntity, { id: rowId(service) }))) > 0;
  }

  /**
   * Moves whenever the projector commits: the sum of the projection checkpoints (one row, or one
   * per stream partition), each only ever growing. An unchanged value means unchanged tables
   * (what response caches key on).
   */
  async appliedSeq(): Promise<number> {
    return this.db.read(async (em) => {
      const row = (await em
        .getKnex()('checkpoint')
        .sum({ seq: 'seq' })
        .where('name', PROJECTOR_CHECKPOINT)
        .orWhere('name', 'like', `${PROJECTOR_CHECKPOINT}.p%`)
        .first()) as { seq: number | string | null } | undefined;
      return Number(row?.seq ?? 0);
    });
  }

  /** Unresolved aggregated errors of a service, most recent first; with `newSince` (epoch ms) only those first seen after it. */
  async openErrors(service: string, newSince: number | null = null): Promise<AggregatedError[]> {
    return this.db.read((em) => selectOpenErrors(em.getKnex(), rowId(service), newSince));
  }

  /** One page of a service's errors, each with its newest occurrence only, and how many match in all. */
  async searchErrors(service: string, search: ErrorSearch): Promise<{ total: number; items: AggregatedErrorSummary[] }> {
    return this.db.read(async (em) => {
      const knex = em.getKnex();
      const matching = knex('aggregated_error').where('service_id', rowId(service));
      if (search.status === 'open') matching.whereNull('resolved_at');
      if (search.status === 'resolved') matching.whereNotNull('resolved_at');
      if (search.severity) matching.where('severity', search.severity);
      if (search.newSince !== null) matching.where('created_at', '>', search.newSince);
      if (search.text) {
        // Occurrences are stored as JSON text: a LIKE finds class, message, stack and URL (stacks: page-rows.ts).
        // (A page may still hold an occurrence newer ones pushed out of the latest hundred.)
        // '!' escapes the wildcards: a backslash means different things in MySQL and PostgreSQL.
        const pattern = `%${search.text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
        matching.where((text) =>
          text.whereRaw("lower(aggregation_key) like ? escape '!'", [pattern]).orWhereExists((page) =>
            page
              .select(knex.raw('1'))
              .from('occurrence_page')
              .where('occurrence_page.aggregate_id', knex.ref('aggregated_error.id'))
              .andWhere((texts) => texts.whereRaw("lower(occurrences) like ? escape '!'", [pattern]).orWhereRaw("lower(stacks) like ? escape '!'", [pattern])),
          ),
        );
      }
      const counted = (await matching.clone().count({ total: '*' }).first()) as { total: number | string } | undefined;
      const rows = (await matching
        .clone()
        .select('*')
        .orderBy([
          { column: search.sort, order: search.order },
          { column: 'id', order: 'asc' },
        ])
        .offset(search.offset)
        .limit(search.limit)) as AggregatedErrorColumns[];
      return { total: Number(counted?.total ?? 0), items: await withNewestOccurrence(knex, rows.map(toAggregatedErrorRow)) };
    });
  }

  async error(service: string, key: string): Promise<AggregatedError | null> {
    return this.db.read(async (em) => {
      const knex = em.getKnex();
      const row = (await knex('aggregated_error').select('*').where('id', rowId(service, key)).first()) as AggregatedErrorColumns | undefined;
      return row ? (await withOccurrences(knex, [toAggregatedErrorRow(row)]))[0]! : null;
    });
  }

  /** Whether the service has the error, without reading its occurrences. */
  async errorExists(service: string, key: string): Promise<boolean> {
    return (await this.db.read((em) => em.count(AggregatedErrorEntity, { id: rowId(service, key) }))) > 0;
  }

  /** Occurrences per bucket of one error, oldest first; buckets without any are left out. */
  async occurrences(service: string, key: string, step: '1m' | '1h', from: number, to: number): Promise<{ t: number; count: number }[]> {
    const rows = await this.db.read((em) =>
      em.find(OccurrenceBucketEntity, { aggregateId: rowId(service, key), step, t: { $gte: from, $lte: to } }, { orderBy: { t: 'asc' } }),
    );
    return rows.map((r) => ({ t: r.t, count: r.count }));
  }

  /** One error's counts per target label value, by label then value. */
  async breakdown(service: string, key: string): Promise<BreakdownCount[]> {
    const rows = await this.db.read((em) =>
      em.find(ErrorBreakdownEntity, { aggregateId: rowId(service, key) }, { orderBy: { id: 'asc' }, disableIdentityMap: true }),
    );
    return rows.map(({ id: _id, aggregateId: _aggregateId, ...count }) => count);
  }

  /** Every error's counts under one label (for the metrics at start). */
  async breakdownsOf(label: string): Promise<BreakdownCount[]> {
    const rows = await this.db.read((em) => em.find(ErrorBreakdownEntity, { label }, { disableIdentityMap: true }));
    return rows.map(({ id: _id, aggregateId: _aggregateId, ...count }) => count);
  }

  /** Hourly occurrences of several errors of a service since `from` (epoch ms), by aggregation key; one query. */
  async hourlyOccurrences(service: string, keys: string[], from: number): Promise<Map<string, { t: number; count: number }[]>> {
    const keyOf = new Map(keys.map((k) => [rowId(service, k), k]));
    const rows = await this.db.read((em) =>
      em.find(OccurrenceBucketEntity, { aggregateId: { $in: [...keyOf.keys()] }, step: '1h', t: { $gte: from } }, { orderBy: { t: 'asc' } }),
    );
    const out = new Map<string, { t: number; count: number }[]>(keys.map((k) => [k, []]));
    for (const r of rows) out.get(keyOf.get(r.aggregateId)!)!.push({ t: r.t, count: r.count });
    return out;
  }

  /** Every aggregate's total, without its occurrences (for the metrics at start). */
  async aggregateTotals(): Promise<AggregateTotal[]> {
    const rows = await this.db.read((em) =>
      em.find(AggregatedErrorEntity, {}, { fields: ['service', 'aggregationKey', 'severity', 'totalCount'], disableIdentityMap: true }),
    );
    return rows.map(({ service, aggregationKey, severity, totalCount }) => ({ service, aggregationKey, severity, totalCount }));
  }

  async targets(): Promise<TargetRow[]> {
    const rows = await this.db.read((em) => em.find(TargetEntity, {}));
    return rows.sort((a, b) => (a.service === b.service ? (a.url < b.url ? -1 : 1) : a.service < b.service ? -1 : 1));
  }
}
