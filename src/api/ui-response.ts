import type { AggregatedError, AggregatedErrorSummary } from '../read-model/aggregate-rows.js';
import { goOccurrence } from './go-response.js';

// Shapes of the endpoints under /api (the UI's), beside the Go ones. Times in Unix seconds,
// as the Go API serves them.

const seconds = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));

export function errorSummary(row: AggregatedErrorSummary) {
  const latest = row.newest;
  return {
    aggregation_key: row.aggregationKey,
    total_count: row.totalCount,
    severity: row.severity,
    created_at: seconds(row.createdAt),
    last_seen: seconds(row.lastSeen),
    resolved_at: seconds(row.resolvedAt),
    reopened_at: seconds(row.reopenedAt),
    latest: latest ? goOccurrence(latest) : null,
  };
}

export function errorDetail(row: AggregatedError) {
  return { ...errorSummary({ ...row, newest: row.latestErrors[0] ?? null }), latest_errors: row.latestErrors.map(goOccurrence) };
}
