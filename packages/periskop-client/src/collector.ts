import { randomUUID } from 'node:crypto';

import { aggregationKey, fnv1a32 } from './aggregation-key.js';
import { errorDetailsOf } from './error-details.js';
import { httpContextOfRequest, redactedHttpContext, type ReportedHttpContext, type RequestLike } from './http-context.js';
import {
  SEVERITIES,
  type ErrorDetails,
  type ExportedAggregatedError,
  type ExportedErrors,
  type HttpContext,
  type Severity,
} from './types.js';

// Per aggregation key a total count, a severity and the latest occurrences, exported in the
// scraped JSON format: what every periskop client library keeps in memory.

/** periskop-go's MaxErrors. */
export const MAX_LATEST_OCCURRENCES = 10;

/**
 * Messages carrying ids give every occurrence its own key; past this many keys the least
 * recently reported one is forgotten so a long-running process cannot grow without bound.
 */
export const DEFAULT_MAX_AGGREGATES = 1000;

/** Periskop refuses a payload with a longer key; longer keys are shortened to fit. */
export const MAX_AGGREGATION_KEY_LENGTH = 4096;

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface ReportOptions {
  /** `error` unless given; anything but info/warning/error counts as `error`. */
  severity?: Severity;
  /** Overrides the computed aggregation key, to group errors the hash would split. */
  key?: string;
  /** The request the error happened in, as method, URL and headers. */
  httpContext?: ReportedHttpContext;
  /** Or the request itself (a Node IncomingMessage or an Express request). */
  request?: RequestLike;
}

export interface ErrorCollectorOptions {
  clock?: Clock;
  /** Makes occurrence and target uuids; crypto.randomUUID by default. */
  uuid?: () => string;
  maxAggregates?: number;
}

interface StoredOccurrence {
  error: ErrorDetails;
  uuid: string;
  timestamp: number;
  severity: Severity;
  http_context: HttpContext | null;
}

interface Aggregate {
  totalCount: number;
  severity: Severity;
  createdAt: number;
  latest: StoredOccurrence[];
}

const systemClock: Clock = { now: () => Date.now() };

export class ErrorCollector {
  private readonly clock: Clock;
  private readonly uuid: () => string;
  private readonly maxAggregates: number;
  /** Kept in order of last report, least recent first, so eviction takes the first entry. */
  private readonly aggregates = new Map<string, Aggregate>();
  /** One per collector, hence per process: tells the instances of a service apart. */
  readonly targetUuid: string;

  constructor(options: ErrorCollectorOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.uuid = options.uuid ?? randomUUID;
    this.maxAggregates = Math.max(1, options.maxAggregates ?? DEFAULT_MAX_AGGREGATES);
    this.targetUuid = this.uuid();
  }

  /** Records one occurrence and returns the aggregation key it was counted under. */
  report(thrown: unknown, options: ReportOptions = {}): string {
    const error = errorDetailsOf(thrown);
    const key = fittingKey(options.key || aggregationKey(error.class, error.message, error.stacktrace));
    const severity = severityOf(options.severity);
    const now = this.clock.now();
    const occurrence: StoredOccurrence = {
      error,
      uuid: this.uuid(),
      timestamp: now,
      severity,
      http_context: httpContextOf(options),
    };

    const aggregate = this.aggregates.get(key) ?? { totalCount: 0, severity, createdAt: now, latest: [] };
    this.aggregates.delete(key);
    this.aggregates.set(key, aggregate);
    aggregate.totalCount += 1;
    aggregate.severity = severity;
    aggregate.latest.push(occurrence);
    if (aggregate.latest.length > MAX_LATEST_OCCURRENCES) aggregate.latest.shift();

    if (this.aggregates.size > this.maxAggregates) {
      const leastRecent = this.aggregates.keys().next().value;
      if (leastRecent !== undefined) this.aggregates.delete(leastRecent);
    }
    return key;
  }

  /** The scraped format; a detached copy that callers may serialise or change. */
  export(): ExportedErrors {
    return structuredClone({
      aggregated_errors: [...this.aggregates].map(([key, aggregate]) => exportedAggregate(key, aggregate)),
      target_uuid: this.targetUuid,
    });
  }
}

/** The collector's errors in the scraped format (the body of GET /errors and of a push). */
export function exportErrors(collector: ErrorCollector): ExportedErrors {
  return collector.export();
}

function exportedAggregate(key: string, aggregate: Aggregate): ExportedAggregatedError {
  return {
    aggregation_key: key,
    total_count: aggregate.totalCount,
    severity: aggregate.severity,
    created_at: new Date(aggregate.createdAt).toISOString(),
    latest_errors: aggregate.latest.map((occurrence) => ({
      ...occurrence,
      timestamp: new Date(occurrence.timestamp).toISOString(),
    })),
  };
}

// JavaScript callers can pass anything; a severity Periskop would refuse must not make the whole
// export unreadable.
function severityOf(severity: unknown): Severity {
  const lower = typeof severity === 'string' ? severity.toLowerCase() : severity;
  return SEVERITIES.includes(lower as Severity) ? (lower as Severity) : 'error';
}

function fittingKey(key: string): string {
  if (key.length <= MAX_AGGREGATION_KEY_LENGTH) return key;
  const hash = fnv1a32(key).toString(16).padStart(8, '0');
  return `${key.slice(0, MAX_AGGREGATION_KEY_LENGTH - hash.length - 1)}@${hash}`;
}

function httpContextOf(options: ReportOptions): HttpContext | null {
  try {
    if (options.httpContext !== undefined) return redactedHttpContext(options.httpContext);
    if (options.request !== undefined) return httpContextOfRequest(options.request);
  } catch {
    // An odd request object costs its context, never the report.
  }
  return null;
}
