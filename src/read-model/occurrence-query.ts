import { BUCKET_STEP_MS, type BucketStep } from '../projector/occurrence-buckets.js';
import { InvalidSearch, parseQueryTime as time } from './error-search.js';

export interface OccurrenceQuery {
  step: BucketStep;
  /** Epoch ms, inclusive. */
  from: number;
  to: number;
}

/** Most points one answer may hold. */
export const MAX_POINTS = 10_000;

const DEFAULT_SPAN_MS: Readonly<Record<BucketStep, number>> = { '1m': 6 * 3_600_000, '1h': 7 * 24 * 3_600_000 };

/**
 * Reads `?step=1m|1h&from=&to=` (times RFC 3339 or Unix seconds). Defaults: hourly buckets
 * over the last week, minute buckets over the last six hours.
 */
export function parseOccurrenceQuery(query: Record<string, string | undefined>, now: number): OccurrenceQuery {
  const step = (query.step ?? '1h') as BucketStep;
  if (!(step in BUCKET_STEP_MS)) throw new InvalidSearch(`step: "${query.step}" is not one of 1m, 1h`);
  const to = time('to', query.to) ?? now;
  const from = time('from', query.from) ?? to - DEFAULT_SPAN_MS[step];
  if (from > to) throw new InvalidSearch('from: is after to');
  if ((to - from) / BUCKET_STEP_MS[step] > MAX_POINTS) {
    throw new InvalidSearch(`from, to: more than ${MAX_POINTS} buckets of ${step}; use a shorter range or step=1h`);
  }
  return { step, from, to };
}
