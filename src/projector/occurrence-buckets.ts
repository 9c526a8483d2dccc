// Occurrences over time: each delta a snapshot brings is counted in the minute and the hour
// of the snapshot's scrape time. Minute buckets serve the last two days, hour buckets three
// months; older ones are dropped, measured against the newest event applied (not the wall
// clock), so a replay keeps exactly what live projection kept.

export type BucketStep = '1m' | '1h';

export const BUCKET_STEP_MS: Readonly<Record<BucketStep, number>> = { '1m': 60_000, '1h': 3_600_000 };

export const BUCKET_RETENTION_MS: Readonly<Record<BucketStep, number>> = {
  '1m': 48 * 3_600_000,
  '1h': 90 * 24 * 3_600_000,
};

export const BUCKET_STEPS = Object.keys(BUCKET_STEP_MS) as BucketStep[];

export function bucketStart(at: number, step: BucketStep): number {
  return Math.floor(at / BUCKET_STEP_MS[step]) * BUCKET_STEP_MS[step];
}
