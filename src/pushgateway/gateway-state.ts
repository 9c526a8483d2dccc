import type { ExportedAggregatedError, ExportedErrors } from '@periskop/client';
import type { ErrorOccurrence, ScrapedPayload, Severity } from '../scraper/payload.types.js';

// What the pushgateway holds: the errors pushed by any number of short-lived clients, aggregated
// into one scrapeable state. A client pushes its whole cumulative state every time, so the
// gateway remembers per pushing instance (target_uuid) and key the last total it saw and adds
// only the growth: a re-push counts nothing twice (periskop-pushgateway re-reported every pushed
// occurrence on every push). The totals it exposes only ever grow, as Periskop's scraper
// expects of a target.

/** periskop-go's MaxErrors: the gateway is scraped like a client. */
export const GATEWAY_LATEST_OCCURRENCES = 10;

/** Pushing instances remembered; the least recently pushing one is forgotten beyond this. */
export const DEFAULT_MAX_TARGETS = 10_000;

/** Aggregation keys kept; the least recently pushed one is dropped beyond this. */
export const DEFAULT_MAX_KEYS = 10_000;

interface KeyState {
  total: number;
  severity: Severity;
  createdAt: number;
  /** Newest first, de-duplicated by uuid. */
  latest: ErrorOccurrence[];
}

export interface GatewayStateOptions {
  targetUuid: string;
  now?: () => number;
  maxTargets?: number;
  maxKeys?: number;
}

export interface AcceptedPush {
  /** Aggregation keys in the push. */
  keys: number;
  /** Occurrences counted by this push (the growth since the instance's previous push). */
  counted: number;
}

export class GatewayState {
  readonly targetUuid: string;
  private readonly now: () => number;
  private readonly maxTargets: number;
  private readonly maxKeys: number;
  /** Per pushing instance, the last total seen per key; least recently pushing first. */
  private readonly lastTotals = new Map<string, Map<string, number>>();
  /** Least recently pushed key first. */
  private readonly keys = new Map<string, KeyState>();

  constructor(options: GatewayStateOptions) {
    this.targetUuid = options.targetUuid;
    this.now = options.now ?? Date.now;
    this.maxTargets = options.maxTargets ?? DEFAULT_MAX_TARGETS;
    this.maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  }

  /** Takes in one instance's cumulative state. The payload must carry its target_uuid. */
  accept(payload: ScrapedPayload & { target_uuid: string }): AcceptedPush {
    const totals = this.lastTotals.get(payload.target_uuid) ?? new Map<string, number>();
    this.lastTotals.delete(payload.target_uuid);
    this.lastTotals.set(payload.target_uuid, totals);
    evictOldest(this.lastTotals, this.maxTargets);

    const now = this.now();
    let counted = 0;
    for (const aggregate of payload.aggregated_errors) {
      const key = aggregate.aggregation_key;
      const last = totals.get(key) ?? 0;
      // A lower total than last time means the instance started over: all of it is new.
      const delta = aggregate.total_count >= last ? aggregate.total_count - last : aggregate.total_count;
      totals.set(key, aggregate.total_count);
      counted += delta;

      const earliestOccurrence = aggregate.latest_errors.reduce((earliest, { timestamp }) => Math.min(earliest, timestamp), Infinity);
      const firstSeen = aggregate.created_at ?? (Number.isFinite(earliestOccurrence) ? earliestOccurrence : now);
      const state = this.keys.get(key) ?? { total: 0, severity: aggregate.severity, createdAt: firstSeen, latest: [] };
      this.keys.delete(key);
      this.keys.set(key, state);
      state.total += delta;
      state.severity = aggregate.severity;
      state.createdAt = Math.min(state.createdAt, firstSeen);
      state.latest = mergedOccurrences(state.latest, aggregate.latest_errors);
    }
    evictOldest(this.keys, this.maxKeys);
    return { keys: payload.aggregated_errors.length, counted };
  }

  /** The aggregated state in the scraped format, as GET /-/errors serves it. */
  export(): ExportedErrors {
    return {
      aggregated_errors: [...this.keys].map(([key, state]) => exportedAggregate(key, state)),
      target_uuid: this.targetUuid,
    };
  }
}

function mergedOccurrences(stored: readonly ErrorOccurrence[], incoming: readonly ErrorOccurrence[]): ErrorOccurrence[] {
  const byUuid = new Map<string, ErrorOccurrence>();
  for (const occurrence of [...stored, ...incoming]) {
    if (!byUuid.has(occurrence.uuid)) byUuid.set(occurrence.uuid, occurrence);
  }
  return [...byUuid.values()]
    .sort((a, b) => b.timestamp - a.timestamp || (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0))
    .slice(0, GATEWAY_LATEST_OCCURRENCES);
}

function exportedAggregate(key: string, state: KeyState): ExportedAggregatedError {
  return {
    aggregation_key: key,
    total_count: state.total,
    severity: state.severity,
    created_at: new Date(state.createdAt).toISOString(),
    latest_errors: state.latest.map((occurrence) => ({
      error: occurrence.error,
      uuid: occurrence.uuid,
      timestamp: new Date(occurrence.timestamp).toISOString(),
      severity: occurrence.severity,
      http_context: occurrence.http_context,
    })),
  };
}

function evictOldest<V>(map: Map<string, V>, max: number): void {
  while (map.size > max) {
    const oldest = map.keys().next().value;
    if (oldest === undefined) return;
    map.delete(oldest);
  }
}
