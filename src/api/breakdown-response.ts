import type { BreakdownCount } from '../projector/breakdown.js';

/** Key of the first-seen times beside the counts: `__` names are never target labels, so it cannot clash with one. */
export const FIRST_SEEN_KEY = '__first_seen__';

/** Label → value → count; under FIRST_SEEN_KEY, label → value → first seen (Unix s). */
export type BreakdownResponse = Record<string, Record<string, number | Record<string, number>>>;

/**
 * `{"version": {"1.4.2": 17, "1.5.0": 3}, …, "__first_seen__": {"version": {"1.4.2": <Unix s>, …}, …}}`.
 * Every configured label is present, with `{}` while it has no value yet.
 */
export function breakdownResponse(configuredLabels: readonly string[], counts: readonly BreakdownCount[]): BreakdownResponse {
  const byLabel: Record<string, Record<string, number>> = {};
  const firstSeen: Record<string, Record<string, number>> = {};
  for (const label of configuredLabels) {
    byLabel[label] = {};
    firstSeen[label] = {};
  }
  const sorted = [...counts].sort((a, b) => (a.label === b.label ? b.count - a.count || (a.value < b.value ? -1 : 1) : a.label < b.label ? -1 : 1));
  for (const c of sorted) {
    (byLabel[c.label] ??= {})[c.value] = c.count;
    (firstSeen[c.label] ??= {})[c.value] = Math.floor(c.firstSeen / 1000);
  }
  return { ...byLabel, [FIRST_SEEN_KEY]: firstSeen };
}

/** Occurrences per hour over the last `hours` hours ending with the hour of `now`, oldest first, zeros included. */
export function hourlySparkline(buckets: readonly { t: number; count: number }[], now: number, hours: number): number[] {
  const hour = 3_600_000;
  const first = Math.floor(now / hour) * hour - (hours - 1) * hour;
  const points = new Array<number>(hours).fill(0);
  for (const b of buckets) {
    const i = Math.round((b.t - first) / hour);
    if (i >= 0 && i < hours) points[i]! += b.count;
  }
  return points;
}
