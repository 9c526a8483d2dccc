import { raw, type FilterQuery } from '@mikro-orm/core';
import { AggregatedErrorEntity, OccurrenceBucketEntity, ServiceEntity, TargetEntity, type AggregatedErrorRow, type TargetRow } from './entities.js';
import type { ErrorSearch } from './error-search.js';
import type { AggregateTotal } from '../projector/aggregate-rules.js';
import type { ReadModelDatabase } from './read-model-database.js';
import { rowId } from './row-id.js';
import { selectOpenErrors } from './aggregate-rows.js';

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
   * The last event sequence applied to the read model. It is committed with every change the
   * projector makes, so an unchanged value means unchanged tables (what response caches key on).
   */
  async appliedSeq(): Promise<number> {
    return this.db.read(async (em) => {
      const row = (await em.getKnex()('checkpoint').select('seq').where('name', 'projector').first()) as { seq: number | string } | undefined;
      return row ? Number(row.seq) : 0;
    });
  }

  /** Unresolved aggregated errors of a service, most recent first. */
  async openErrors(service: string): Promise<AggregatedErrorRow[]> {
    return this.db.read((em) => selectOpenErrors(em.getKnex(), rowId(service)));
  }

  /** One page of a service's errors, and how many match in all. */
  async searchErrors(service: string, search: ErrorSearch): Promise<{ total: number; items: AggregatedErrorRow[] }> {
    const where: FilterQuery<AggregatedErrorRow>[] = [{ serviceId: rowId(service) }];
    if (search.status === 'open') where.push({ resolvedAt: null });
    if (search.status === 'resolved') where.push({ resolvedAt: { $ne: null } });
    if (search.severity) where.push({ severity: search.severity });
    if (search.text) {
      // The occurrences are stored as JSON text: one LIKE finds class, message, stack and URL.
      // '!' escapes the wildcards: a backslash means different things in MySQL and PostgreSQL.
      const pattern = `%${search.text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
      where.push({
        $or: [
          { [raw("lower(aggregation_key) like ? escape '!'", [pattern])]: [] },
          { [raw("lower(latest_errors) like ? escape '!'", [pattern])]: [] },
        ],
      });
    }
    const column = { last_seen: 'lastSeen', total_count: 'totalCount', created_at: 'createdAt' } as const;
    return this.db.read(async (em) => {
      const [items, total] = await em.findAndCount(AggregatedErrorEntity, { $and: where }, {
        orderBy: { [column[search.sort]]: search.order, id: 'asc' },
        offset: search.offset,
        limit: search.limit,
      });
      return { total, items };
    });
  }

  async error(service: string, key: string): Promise<AggregatedErrorRow | null> {
    return this.db.read((em) => em.findOne(AggregatedErrorEntity, { id: rowId(service, key) }));
  }

  /** Occurrences per bucket of one error, oldest first; buckets without any are left out. */
  async occurrences(service: string, key: string, step: '1m' | '1h', from: number, to: number): Promise<{ t: number; count: number }[]> {
    const rows = await this.db.read((em) =>
      em.find(OccurrenceBucketEntity, { aggregateId: rowId(service, key), step, t: { $gte: from, $lte: to } }, { orderBy: { t: 'asc' } }),
    );
    return rows.map((r) => ({ t: r.t, count: r.count }));
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
