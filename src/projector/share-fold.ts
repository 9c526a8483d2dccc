import type { AggregateState } from './aggregate-rules.js';
import type { BreakdownCount } from './breakdown.js';
import { BUCKET_STEPS, type BucketStep } from './occurrence-buckets.js';
import { emptyProjectionState, type ProjectionState, type TargetState } from './projection.js';
import { aggregateId, parseBucketId, parseTargetRowId } from './record-ids.js';
import type { ProjectionOptions } from './projection-options.js';
import type { TargetTotals } from './target-totals.js';

// A parallel replay (parallel-replay.ts): each worker folds its share of the services into a
// working set of its own, which holds every record of those services since the read model was
// emptied, and hands over what changed since it last did. One writer merges the workers'
// changes (their services are disjoint) into one ProjectionState and commits it as the serial
// replay commits its own. These functions are that hand-over; the messages are in
// replay-worker.ts.

/** What one worker's fold changed since its last hand-over (structured-cloned to the writer). */
export interface ShareChanges {
  services: string[];
  aggregates: Map<string, AggregateState>;
  /** Whole targets: every key of each target one of whose totals changed. */
  targetTotals: Map<string, TargetTotals>;
  buckets: Map<string, number>;
  /** Whole target lists: of the services whose list was replaced or one of whose targets changed. */
  targets: Map<string, Map<string, TargetState>>;
  changedTargets: string[];
  targetRows: string[];
  /** Every value of each error one of whose values changed (the writer caches them per error). */
  breakdown: Map<string, BreakdownCount>;
  changedBreakdown: string[];
  /** Newest snapshot time folded since the last hand-over (bucket retention), null: none. */
  newestAt: number | null;
}

/** What `state` changed since the last hand-over; clears its notes of change. */
export function takeChanges(state: ProjectionState): ShareChanges {
  const { changed } = state;
  const targetServices = new Set(changed.targets);
  for (const row of changed.targetRows) targetServices.add(parseTargetRowId(row).service);
  const breakdownErrors = new Set<string>();
  for (const id of changed.breakdown) {
    const count = state.breakdown.get(id)!;
    breakdownErrors.add(aggregateId(count.service, count.aggregationKey));
  }
  const breakdown = new Map<string, BreakdownCount>();
  if (breakdownErrors.size > 0) {
    for (const [id, count] of state.breakdown) if (breakdownErrors.has(aggregateId(count.service, count.aggregationKey))) breakdown.set(id, count);
  }
  const changes: ShareChanges = {
    services: [...changed.services],
    aggregates: pick(state.aggregates, changed.aggregates),
    targetTotals: pick(state.targetTotals, changed.targetTotals),
    buckets: pick(state.buckets, changed.buckets),
    targets: pick(state.targets, targetServices),
    changedTargets: [...changed.targets],
    targetRows: [...changed.targetRows],
    breakdown,
    changedBreakdown: [...changed.breakdown],
    newestAt: state.newestAt,
  };
  for (const notes of Object.values(changed)) notes.clear();
  state.newestAt = null;
  return changes;
}

/**
 * The counts of the buckets changed since they were last taken (or handed over), whose notes
 * of change it clears: the writer writes them ahead of its next commit
 * (ProjectionStore.writeBucketsAhead); one counted again is taken again.
 */
export function takeChangedBuckets(state: ProjectionState): Map<string, number> {
  const buckets = pick(state.buckets, state.changed.buckets);
  state.changed.buckets.clear();
  return buckets;
}

/** One working set of every worker's changes, as the serial replay would have folded them. */
export function mergeChanges(shares: readonly ShareChanges[], options: ProjectionOptions): ProjectionState {
  const state = emptyProjectionState(options);
  for (const share of shares) {
    for (const service of share.services) {
      state.services.add(service);
      state.changed.services.add(service);
    }
    copyChanged(share.aggregates, state.aggregates, state.changed.aggregates);
    copyChanged(share.targetTotals, state.targetTotals, state.changed.targetTotals);
    copyChanged(share.buckets, state.buckets, state.changed.buckets);
    for (const [service, targets] of share.targets) state.targets.set(service, targets);
    for (const service of share.changedTargets) state.changed.targets.add(service);
    for (const row of share.targetRows) state.changed.targetRows.add(row);
    for (const [id, count] of share.breakdown) state.breakdown.set(id, count);
    for (const id of share.changedBreakdown) state.changed.breakdown.add(id);
    if (share.newestAt !== null) state.newestAt = Math.max(state.newestAt ?? share.newestAt, share.newestAt);
  }
  return state;
}

/**
 * Drops the buckets that retention deleted from the read model at a commit whose newest
 * snapshot was `newestAt`, as the projection store drops them from its cache: a late event
 * counts into such a bucket from zero again.
 */
export function dropExpiredBuckets(state: ProjectionState, newestAt: number): void {
  const cutoff = Object.fromEntries(BUCKET_STEPS.map((step) => [step, newestAt - state.bucketRetentionMs[step]])) as Record<BucketStep, number>;
  for (const id of state.buckets.keys()) {
    const { step, start } = parseBucketId(id);
    if (start < cutoff[step]) state.buckets.delete(id);
  }
}

function pick<V>(from: ReadonlyMap<string, V>, ids: Iterable<string>): Map<string, V> {
  const picked = new Map<string, V>();
  for (const id of ids) {
    const value = from.get(id);
    if (value !== undefined) picked.set(id, value);
  }
  return picked;
}

function copyChanged<V>(from: ReadonlyMap<string, V>, into: Map<string, V>, changed: Set<string>): void {
  for (const [id, value] of from) {
    into.set(id, value);
    changed.add(id);
  }
}
