import type { AggregatedErrorPayload, ScrapedPayload } from './payload.types.js';

/** What this process last published for one target. */
export interface PublishedTarget {
  targetUuid: string;
  totals: Map<string, number>;
  occurrenceUuids: Map<string, Set<string>>;
}

/** The totals recorded for a target, for the parser to skip unchanged keys (RecordedTotals). */
export function recordedTotalsOf(previous: PublishedTarget | undefined, fallbackTargetUuid: string) {
  return (targetUuid: string | null): ReadonlyMap<string, number> | undefined =>
    previous && previous.targetUuid === (targetUuid ?? fallbackTargetUuid) ? previous.totals : undefined;
}

/**
 * Events record changes, not repetitions: of a scraped payload keep the keys whose total
 * changed since the last publish, each with only the occurrences not yet published.
 * A new target_uuid (the instance restarted) starts from nothing.
 */
export function changedSince(
  previous: PublishedTarget | undefined,
  targetUuid: string,
  payload: ScrapedPayload,
): { changed: AggregatedErrorPayload[]; next: PublishedTarget } {
  const base = previous && previous.targetUuid === targetUuid ? previous : undefined;
  const next: PublishedTarget = { targetUuid, totals: new Map(), occurrenceUuids: new Map() };
  const changed: AggregatedErrorPayload[] = [];
  for (const error of payload.aggregated_errors) {
    const key = error.aggregation_key;
    const seen = base?.occurrenceUuids.get(key) ?? new Set<string>();
    next.totals.set(key, error.total_count);
    // An unchanged total means nothing new: what was seen stays seen (the parser may not even
    // have read this key's occurrences, see RecordedTotals).
    if (base?.totals.get(key) === error.total_count) {
      next.occurrenceUuids.set(key, seen);
      continue;
    }
    next.occurrenceUuids.set(key, new Set(error.latest_errors.map((o) => o.uuid)));
    changed.push({ ...error, latest_errors: error.latest_errors.filter((o) => !seen.has(o.uuid)) });
  }
  return { changed, next };
}
