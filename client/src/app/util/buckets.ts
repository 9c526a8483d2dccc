// Occurrences over time: the server answers only the buckets that hold occurrences; the chart
// needs every bucket of its range, the empty ones as zeros.

export type ChartStep = '1m' | '1h';

export interface Bucket {
  /** Bucket start, Unix seconds. */
  t: number;
  count: number;
}

export interface ChartRange {
  step: ChartStep;
  /** Start of the first bucket, Unix seconds. */
  from: number;
  /** Now, Unix seconds (inside the last bucket). */
  to: number;
  /** Buckets from `from`, the last one holding `to`. */
  buckets: number;
}

export const STEP_SECONDS: Readonly<Record<ChartStep, number>> = { '1m': 60, '1h': 3600 };

/** The two views: last 6 hours by minute, last 7 days by hour. */
export const CHART_SPANS: Readonly<Record<ChartStep, { buckets: number; label: string; unit: string }>> = {
  '1m': { buckets: 6 * 60, label: 'the last 6 hours', unit: 'minute' },
  '1h': { buckets: 7 * 24, label: 'the last 7 days', unit: 'hour' },
};

/** The range ending in the bucket that holds `nowMs`. */
export function chartRange(step: ChartStep, nowMs: number): ChartRange {
  const size = STEP_SECONDS[step];
  const to = Math.floor(nowMs / 1000);
  const last = Math.floor(to / size) * size;
  const buckets = CHART_SPANS[step].buckets;
  return { step, from: last - (buckets - 1) * size, to, buckets };
}

/**
 * Every bucket of `range`, oldest first, counts from `points` (bucket starts in Unix seconds)
 * and zero elsewhere. Points outside the range are left out.
 */
export function fillBuckets(points: readonly Bucket[], range: Pick<ChartRange, 'step' | 'from' | 'buckets'>): Bucket[] {
  const size = STEP_SECONDS[range.step];
  const counts = new Map<number, number>();
  for (const p of points) {
    const start = Math.floor(p.t / size) * size;
    counts.set(start, (counts.get(start) ?? 0) + p.count);
  }
  return Array.from({ length: range.buckets }, (_, i) => {
    const t = range.from + i * size;
    return { t, count: counts.get(t) ?? 0 };
  });
}

/** "2024-05-01 13:04 UTC" for a bucket start. */
export function bucketTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}
