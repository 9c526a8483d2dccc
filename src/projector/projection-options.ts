import type { PeriskopConfig } from '../config/config.types.js';
import { BUCKET_RETENTION_MS, type BucketStep } from './occurrence-buckets.js';

/**
 * What the projection takes from the config rather than from the log. The fold stays a pure
 * function of (options, events): replaying with other options rebuilds the history under them.
 */
export interface ProjectionOptions {
  /** Label names per service (`services[].breakdown_labels`), see breakdown.ts. */
  breakdownLabels: ReadonlyMap<string, readonly string[]>;
  /** How long occurrence buckets are kept, per step (`server.occurrence_retention`). */
  bucketRetentionMs: Readonly<Record<BucketStep, number>>;
}

export const DEFAULT_PROJECTION_OPTIONS: ProjectionOptions = { breakdownLabels: new Map(), bucketRetentionMs: BUCKET_RETENTION_MS };

export function projectionOptions(config: Pick<PeriskopConfig, 'services' | 'server'>): ProjectionOptions {
  return {
    breakdownLabels: new Map(config.services.filter((s) => s.breakdownLabels).map((s) => [s.name, s.breakdownLabels!])),
    bucketRetentionMs: config.server.occurrenceRetentionMs,
  };
}
