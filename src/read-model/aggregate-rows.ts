import type { Knex } from '@mikro-orm/knex';
import type { ErrorOccurrence, Severity } from '../scraper/payload.types.js';
import type { AggregatedErrorRow } from './entities.js';
import { selectNewestOccurrences, selectOccurrences } from './occurrence-pages.js';

// aggregated_error rows read as plain objects, for the API's hot path. Through MikroORM each
// loaded row became a managed entity: registered in the unit of work and snapshotted for
// change tracking, which serialises its occurrences back to JSON — as much work as parsing
// them, on every GET, for rows that are never written.

/** An aggregated error as the API serves it: its row and its latest occurrences, newest first. */
export interface AggregatedError extends AggregatedErrorRow {
  latestErrors: ErrorOccurrence[];
}

/** An aggregated error as lists show it: its row and only its newest occurrence. */
export interface AggregatedErrorSummary extends AggregatedErrorRow {
  newest: ErrorOccurrence | null;
}

export interface AggregatedErrorColumns {
  id: string;
  service_id: string;
  service: string;
  aggregation_key: string;
  severity: string;
  total_count: number | string;
  created_at: number | string;
  last_seen: number | string | null;
  resolved_at: number | string | null;
  resolved_count: number | string | null;
  reopened_at: number | string | null;
}

/** BIGINT comes back as a string from PostgreSQL and MySQL. */
const epoch = (v: number | string) => Number(v);
const epochOrNull = (v: number | string | null) => (v === null ? null : Number(v));

export function toAggregatedErrorRow(c: AggregatedErrorColumns): AggregatedErrorRow {
  return {
    id: c.id,
    serviceId: c.service_id,
    service: c.service,
    aggregationKey: c.aggregation_key,
    severity: c.severity as Severity,
    totalCount: epoch(c.total_count),
    createdAt: epoch(c.created_at),
    lastSeen: epochOrNull(c.last_seen),
    resolvedAt: epochOrNull(c.resolved_at),
    resolvedCount: epochOrNull(c.resolved_count),
    reopenedAt: epochOrNull(c.reopened_at),
  };
}

/** The rows with their occurrences: one more query (per 500 rows), not one per row. */
export async function withOccurrences(knex: Knex, rows: AggregatedErrorRow[]): Promise<AggregatedError[]> {
  const occurrences = await selectOccurrences(knex, rows.map((r) => r.id));
  return rows.map((r) => ({ ...r, latestErrors: occurrences.get(r.id) ?? [] }));
}

/** The rows with their newest occurrence: one more query (per 500 rows). */
export async function withNewestOccurrence(knex: Knex, rows: AggregatedErrorRow[]): Promise<AggregatedErrorSummary[]> {
  const newest = await selectNewestOccurrences(knex, rows.map((r) => r.id));
  return rows.map((r) => ({ ...r, newest: newest.get(r.id) ?? null }));
}

/** A service's unresolved errors, most recent first (ties by id); with `newSince` only those first seen after it. */
export async function selectOpenErrors(knex: Knex, serviceId: string, newSince: number | null = null): Promise<AggregatedError[]> {
  const query = knex('aggregated_error').select('*').where('service_id', serviceId).whereNull('resolved_at');
  if (newSince !== null) query.where('created_at', '>', newSince);
  const rows = (await query.orderBy([
      { column: 'last_seen', order: 'desc' },
      { column: 'id', order: 'asc' },
    ])) as AggregatedErrorColumns[];
  return withOccurrences(knex, rows.map(toAggregatedErrorRow));
}
