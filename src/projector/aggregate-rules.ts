import type { LoggedOccurrence, ReportedError } from '../events/events.js';
import type { ErrorOccurrence, Severity } from '../scraper/payload.types.js';

// The projection rules of DESIGN.md, one pure function each. They never mutate their inputs.

export const LATEST_ERRORS_CAP = 100;

/** An occurrence as the fold holds it: the object (version 1 events) or its text (version 2); it reads uuid and timestamp only. */
export type FoldedOccurrence = ErrorOccurrence | LoggedOccurrence;

export interface AggregateState {
  service: string;
  aggregationKey: string;
  severity: Severity;
  totalCount: number;
  /** Epoch ms of the first occurrence ever seen (first seen). */
  createdAt: number;
  /** Epoch ms of the newest occurrence, null when the clients sent none. */
  lastSeen: number | null;
  /** Set while the error is resolved; cleared by a regression. */
  resolvedAt: number | null;
  /** total_count when it was resolved, to tell how many came back. */
  resolvedCount: number | null;
  /** Epoch ms of the last regression (a resolved error that came back). */
  reopenedAt: number | null;
  latestErrors: FoldedOccurrence[];
}

/** An aggregate's count without its occurrences (metrics need no more). */
export type AggregateTotal = Pick<AggregateState, 'service' | 'aggregationKey' | 'severity' | 'totalCount'>;

/**
 * New occurrences a target reports for a key, given the last total seen from it.
 * A total below the last one means the target restarted and counts from zero again
 * (Prometheus' counter-reset rule): all of `total` is new.
 */
export function countDelta(lastTotal: number | undefined, total: number): number {
  if (lastTotal === undefined) return total;
  return total >= lastTotal ? total - lastTotal : total;
}

/** Newest first; the uuid breaks ties so the order is total and replays give the same list. */
export function newerFirst(a: Pick<ErrorOccurrence, 'uuid' | 'timestamp'>, b: Pick<ErrorOccurrence, 'uuid' | 'timestamp'>): number {
  return b.timestamp - a.timestamp || (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0);
}

/**
 * stored ∪ incoming, one per occurrence (the stored one wins; of equal incoming ones the
 * first), newest first, capped. An occurrence is its uuid at its timestamp: a client that
 * reuses a uuid at another time reported another occurrence. `stored` is in newerFirst order
 * (this function wrote it; the read model loads it so). A snapshot brings only a few new
 * occurrences: they are sorted and merged with the stored list in one pass into a list of
 * its final length, or the stored list itself is returned when none of them goes in (the
 * lists are never changed in place). Inserting them one by one (Array.splice) grew a copy of
 * the hundred references per occurrence: a tenth of the projector's allocations.
 */
export function mergeOccurrences<T extends FoldedOccurrence>(stored: readonly T[], incoming: readonly T[], cap: number = LATEST_ERRORS_CAP): T[] {
  const kept = Math.min(stored.length, cap);
  // Stable: of equal incoming occurrences the first comes first (and is the one kept).
  const arriving = inOrder(incoming) ? incoming : [...incoming].sort(newerFirst);
  // Sized once: grown by pushes, a hundred references took three copies of growing size.
  const merged = new Array<T>(Math.min(cap, kept + arriving.length));
  let n = 0;
  let i = 0;
  let j = 0;
  let added = 0;
  while (n < merged.length && (i < kept || j < arriving.length)) {
    if (j >= arriving.length) {
      merged[n++] = stored[i++]!;
      continue;
    }
    const next = arriving[j]!;
    if (n > 0 && newerFirst(merged[n - 1]!, next) === 0) {
      j++; // the same occurrence again: the one listed stays
      continue;
    }
    const order = i < kept ? newerFirst(stored[i]!, next) : 1;
    if (order <= 0) merged[n++] = stored[i++]!;
    else {
      merged[n++] = next;
      j++;
      added++;
    }
  }
  if (added === 0 && stored.length <= cap) return stored as T[];
  merged.length = n;
  return merged;
}

/** Whether a list is in newerFirst order already (equal ones in any order: a stable sort keeps them). */
function inOrder(occurrences: readonly FoldedOccurrence[]): boolean {
  for (let i = 1; i < occurrences.length; i++) if (newerFirst(occurrences[i - 1]!, occurrences[i]!) > 0) return false;
  return true;
}

function newestTimestamp(occurrences: readonly FoldedOccurrence[]): number | null {
  let newest: number | null = null;
  for (const o of occurrences) if (newest === null || o.timestamp > newest) newest = o.timestamp;
  return newest;
}

function oldestTimestamp(occurrences: readonly FoldedOccurrence[]): number | null {
  let oldest: number | null = null;
  for (const o of occurrences) if (oldest === null || o.timestamp < oldest) oldest = o.timestamp;
  return oldest;
}

function minDefined(a: number | null | undefined, b: number | null): number | null {
  if (a === null || a === undefined) return b;
  return b === null ? a : Math.min(a, b);
}

function maxDefined(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

/** First seen according to one report: created_at or its oldest occurrence, else the snapshot time. */
export function firstSeenInReport(report: ReportedError, at: number): number {
  return minDefined(report.created_at, oldestTimestamp(report.latest_errors)) ?? at;
}

/**
 * Folds one target's report of one key into the aggregate.
 * `delta` comes from countDelta; `at` is when the snapshot was taken (used as first-seen
 * only when the client sent neither created_at nor occurrences).
 */
export function applyReport(
  current: AggregateState | undefined,
  service: string,
  report: ReportedError,
  delta: number,
  at: number,
): AggregateState {
  const newest = newestTimestamp(report.latest_errors);
  const firstSeen = firstSeenInReport(report, at);
  if (!current) {
    return {
      service,
      aggregationKey: report.aggregation_key,
      severity: report.severity,
      totalCount: delta,
      createdAt: firstSeen,
      lastSeen: newest,
      resolvedAt: null,
      resolvedCount: null,
      reopenedAt: null,
      latestErrors: mergeOccurrences<FoldedOccurrence>([], report.latest_errors),
    };
  }
  const regressed = current.resolvedAt !== null && delta > 0;
  // Every field written out (not spread): one shape for every aggregate, no copy loop.
  return {
    service: current.service,
    aggregationKey: current.aggregationKey,
    severity: report.severity,
    totalCount: current.totalCount + delta,
    createdAt: Math.min(current.createdAt, firstSeen),
    lastSeen: maxDefined(current.lastSeen, newest),
    resolvedAt: regressed ? null : current.resolvedAt,
    resolvedCount: regressed ? null : current.resolvedCount,
    reopenedAt: regressed ? at : current.reopenedAt,
    latestErrors: mergeOccurrences<FoldedOccurrence>(current.latestErrors, report.latest_errors),
  };
}

/** Hides the error until a later report brings a new occurrence. */
export function resolve(current: AggregateState, at: number): AggregateState {
  if (current.resolvedAt !== null) return current;
  return { ...current, resolvedAt: at, resolvedCount: current.totalCount };
}
