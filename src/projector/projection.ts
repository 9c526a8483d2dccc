import type { DiscoveredTarget, PeriskopEvent, ReportedError, ScrapeFailureReason } from '../events/events.js';
import { applyReport, countDelta, resolve, type AggregateState } from './aggregate-rules.js';
import { BUCKET_STEPS, bucketStart } from './occurrence-buckets.js';
import { aggregateId, bucketIdOf, targetRowId, targetTotalsId } from './record-ids.js';
import { breakdownId, breakdownValues, countUnderValue, type BreakdownCount } from './breakdown.js';
import { DEFAULT_PROJECTION_OPTIONS, type ProjectionOptions } from './projection-options.js';
import { lastTotal, targetTotals, type TargetTotals } from './target-totals.js';

// The read model's state for the records one batch of events touches, and `apply`, which
// folds one event into it. `apply` is deterministic and does no I/O; it changes the working
// set in place (copying it per event would make replay quadratic) and notes what changed so
// the projector writes only that. The rules themselves are the pure functions of
// aggregate-rules.ts.

export interface TargetState {
  service: string;
  url: string;
  address: string;
  labels: Record<string, string>;
  status: 'unknown' | 'up' | 'down';
  lastError: { reason: ScrapeFailureReason; detail: string } | null;
  /** Epoch ms of the last event that changed this target's status. */
  statusAt: number | null;
}

export interface ProjectionState {
  services: Set<string>;
  /** By aggregateId(service, key). */
  aggregates: Map<string, AggregateState>;
  /** Last total seen per key of each target (service, target_uuid), by targetTotalsId: its row holds them together. */
  targetTotals: Map<string, TargetTotals>;
  /** Services whose full target list is in `targets` (loaded or replaced by an event). */
  targets: Map<string, Map<string, TargetState>>;
  /** Occurrences per bucket, by bucketId(service, key, step, start). */
  buckets: Map<string, number>;
  /** Time of the newest snapshot applied: what bucket retention is measured against. */
  newestAt: number | null;
  /** How long buckets are kept, per step (config). */
  bucketRetentionMs: ProjectionOptions['bucketRetentionMs'];
  /** Label names each service breaks its errors down by (config, see breakdown.ts). */
  breakdownLabels: ProjectionOptions['breakdownLabels'];
  /** Counts per label value, by breakdownId(service, key, label, value); holds every value of the errors loaded. */
  breakdown: Map<string, BreakdownCount>;
  changed: {
    services: Set<string>;
    aggregates: Set<string>;
    /** targetTotalsIds */
    targetTotals: Set<string>;
    buckets: Set<string>;
    /** Services whose target list must be rewritten (a new list was discovered). */
    targets: Set<string>;
    /** Targets whose status changed, by targetRowId(service, url). */
    targetRows: Set<string>;
    /** breakdownId()s */
    breakdown: Set<string>;
  };
}

export function emptyProjectionState(options: ProjectionOptions = DEFAULT_PROJECTION_OPTIONS): ProjectionState {
  return {
    services: new Set(),
    aggregates: new Map(),
    targetTotals: new Map(),
    targets: new Map(),
    buckets: new Map(),
    newestAt: null,
    bucketRetentionMs: options.bucketRetentionMs,
    breakdownLabels: options.breakdownLabels,
    breakdown: new Map(),
    changed: {
      services: new Set(),
      aggregates: new Set(),
      targetTotals: new Set(),
      buckets: new Set(),
      targets: new Set(),
      targetRows: new Set(),
      breakdown: new Set(),
    },
  };
}

/** Told of each record an event needs loaded into the working set before `apply` can fold it, by its working-set id. */
export interface NeededRecords {
  aggregate(id: string, service: string, key: string): void;
  /** A target's totals, every key of it. */
  targetTotals(id: string, service: string, targetUuid: string): void;
  bucket(id: string): void;
  targetsOf(service: string): void;
}

/** The records `apply` reads for the event, one call each, with the ids it reads them by. */
export function forEachRecordNeeded(event: PeriskopEvent, needed: NeededRecords): void {
  switch (event.type) {
    case 'SnapshotScraped': {
      const { service, at } = event;
      const targetUuid = event.data.target_uuid;
      if (event.data.aggregated_errors.length > 0) needed.targetTotals(targetTotalsId(service, targetUuid), service, targetUuid);
      for (const report of event.data.aggregated_errors) {
        const key = report.aggregation_key;
        const id = aggregateId(service, key);
        needed.aggregate(id, service, key);
        for (const step of BUCKET_STEPS) needed.bucket(bucketIdOf(id, step, bucketStart(at, step)));
      }
      if (event.data.source === 'scrape') needed.targetsOf(service);
      return;
    }
    case 'ErrorResolved':
      needed.aggregate(aggregateId(event.service, event.data.aggregation_key), event.service, event.data.aggregation_key);
      return;
    case 'ScrapeFailed':
    case 'TargetsDiscovered':
      needed.targetsOf(event.service);
      return;
    default: {
      const unknown: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unknown)}`);
    }
  }
}

function noteService(state: ProjectionState, service: string): void {
  if (!state.services.has(service)) {
    state.services.add(service);
    state.changed.services.add(service);
  }
}

function targetsOf(state: ProjectionState, service: string): Map<string, TargetState> {
  let targets = state.targets.get(service);
  if (!targets) {
    targets = new Map();
    state.targets.set(service, targets);
  }
  return targets;
}

function setTargetStatus(
  state: ProjectionState,
  service: string,
  url: string,
  status: TargetState['status'],
  lastError: TargetState['lastError'],
  at: number,
): void {
  const target = targetsOf(state, service).get(url);
  // A target that discovery has since dropped stays dropped.
  if (!target) return;
  // statusAt is when the status began (the UI's "up since"): a scrape of a target already up
  // changes nothing, and rewrote its row in every batch.
  if (target.status === status && sameError(target.lastError, lastError)) return;
  target.status = status;
  target.lastError = lastError;
  target.statusAt = at;
  // One row rewritten, not the service's whole list (thousands of rows on every scrape).
  state.changed.targetRows.add(targetRowId(service, url));
}

function sameError(a: TargetState['lastError'], b: TargetState['lastError']): boolean {
  return a === b || (a !== null && b !== null && a.reason === b.reason && a.detail === b.detail);
}

export function apply(state: ProjectionState, event: PeriskopEvent): void {
  switch (event.type) {
    case 'TargetsDiscovered': {
      noteService(state, event.service);
      const previous = targetsOf(state, event.service);
      const next = new Map<string, TargetState>();
      for (const t of event.data.targets) next.set(t.url, discoveredTarget(event.service, t, previous.get(t.url)));
      state.targets.set(event.service, next);
      state.changed.targets.add(event.service);
      return;
    }
    case 'SnapshotScraped': {
      noteService(state, event.service);
      const { target_uuid: targetUuid, aggregated_errors: reports } = event.data;
      const labelValues = breakdownValues(state.breakdownLabels.get(event.service), event, state.targets.get(event.service)?.get(event.data.target));
      // Only a target with reports was loaded (forEachRecordNeeded): no row to overwrite otherwise.
      if (reports.length > 0) {
        const totals = targetTotalsOf(state, targetTotalsId(event.service, targetUuid));
        for (const report of reports) {
          const id = aggregateId(event.service, report.aggregation_key);
          const delta = countDelta(lastTotal(totals, report.aggregation_key), report.total_count);
          totals.updated.set(report.aggregation_key, report.total_count);
          state.aggregates.set(id, applyReport(state.aggregates.get(id), event.service, report, delta, event.at));
          state.changed.aggregates.add(id);
          if (delta > 0) countInBuckets(state, id, event.at, delta);
          if (delta > 0) for (const [label, value] of labelValues) countInBreakdown(state, event, report, label, value, delta);
        }
      }
      state.newestAt = Math.max(state.newestAt ?? event.at, event.at);
      if (event.data.source === 'scrape') setTargetStatus(state, event.service, event.data.target, 'up', null, event.at);
      return;
    }
    case 'ScrapeFailed': {
      noteService(state, event.service);
      const { target, reason, detail } = event.data;
      setTargetStatus(state, event.service, target, 'down', { reason, detail }, event.at);
      return;
    }
    case 'ErrorResolved': {
      const id = aggregateId(event.service, event.data.aggregation_key);
      const current = state.aggregates.get(id);
      if (!current) return;
      state.aggregates.set(id, resolve(current, event.at));
      state.changed.aggregates.add(id);
      return;
    }
    default: {
      const unknown: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unknown)}`);
    }
  }
}

/** A target's totals in the working set, noted as changed (a target met first starts empty). */
function targetTotalsOf(state: ProjectionState, id: string): TargetTotals {
  let totals = state.targetTotals.get(id);
  if (!totals) state.targetTotals.set(id, (totals = targetTotals()));
  state.changed.targetTotals.add(id);
  return totals;
}

function countInBuckets(state: ProjectionState, aggregate: string, at: number, delta: number): void {
  for (const step of BUCKET_STEPS) {
    const id = bucketIdOf(aggregate, step, bucketStart(at, step));
    state.buckets.set(id, (state.buckets.get(id) ?? 0) + delta);
    state.changed.buckets.add(id);
  }
}

function countInBreakdown(
  state: ProjectionState,
  event: PeriskopEvent,
  report: ReportedError,
  label: string,
  value: string,
  delta: number,
): void {
  const id = breakdownId(event.service, report.aggregation_key, label, value);
  state.breakdown.set(id, countUnderValue(state.breakdown.get(id), event.service, report, label, value, delta, event.at));
  state.changed.breakdown.add(id);
}

function discoveredTarget(service: string, t: DiscoveredTarget, previous: TargetState | undefined): TargetState {
  return {
    service,
    url: t.url,
    address: t.address,
    labels: t.labels,
    status: previous?.status ?? 'unknown',
    lastError: previous?.lastError ?? null,
    statusAt: previous?.statusAt ?? null,
  };
}
