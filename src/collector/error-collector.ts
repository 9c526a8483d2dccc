import { randomUUID } from 'node:crypto';

import { type Clock, systemClock } from '../clock/clock.js';
import type { ErrorDetails, HttpContext, Severity } from '../scraper/payload.types.js';
import { aggregationKey } from './aggregation-key.js';

// Periskop's own errors, collected the way the periskop client libraries collect theirs so the
// server can scrape itself (GET /errors): per aggregation key a total count, a severity and the
// latest occurrences, exported in the scraped JSON format.

/** periskop-go's MaxErrors. */
export const MAX_LATEST_OCCURRENCES = 10;

/** Deeper chains are cut rather than rejected: reporting an error must never fail. */
export const MAX_REPORTED_CAUSES = 16;

/**
 * Messages carrying ids give every occurrence its own key; past this many keys the least
 * recently reported one is forgotten so a long-running server cannot grow without bound.
 */
export const DEFAULT_MAX_AGGREGATES = 1000;

export const REDACTED = '[REDACTED]';

const SECRET_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'cookie',
  'set-cookie',
  'proxy-authorization',
  'x-api-key',
]);

export interface ReportedHttpContext {
  method: string;
  url: string;
  /** Node's IncomingHttpHeaders fits: multi-value headers are joined with ", ". */
  headers: Readonly<Record<string, string | readonly string[] | number | undefined>>;
  body?: string | null;
}

export interface ReportOptions {
  severity?: Severity;
  /** Overrides the computed aggregation key, to group errors the hash would split. */
  key?: string;
  httpContext?: ReportedHttpContext;
}

export interface ErrorCollectorOptions {
  clock?: Clock;
  uuid?: () => string;
  maxAggregates?: number;
}

export interface ExportedOccurrence {
  error: ErrorDetails;
  uuid: string;
  /** RFC 3339. */
  timestamp: string;
  severity: Severity;
  http_context: HttpContext | null;
}

export interface ExportedAggregatedError {
  aggregation_key: string;
  total_count: number;
  severity: Severity;
  /** RFC 3339; when the key was first reported. */
  created_at: string;
  /** Oldest first, as periskop-go exports them. */
  latest_errors: ExportedOccurrence[];
}

/** The scraped format (proto/errors.proto) with snake_case keys, as periskop clients expose it. */
export interface ExportedErrors {
  aggregated_errors: ExportedAggregatedError[];
  target_uuid: string;
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

export class ErrorCollector {
  private readonly clock: Clock;
  private readonly uuid: () => string;
  private readonly maxAggregates: number;
  /** Kept in order of last report, least recent first, so eviction takes the first entry. */
  private readonly aggregates = new Map<string, Aggregate>();
  /** One per process, like every periskop client's collector. */
  readonly targetUuid: string;

  constructor(options: ErrorCollectorOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.uuid = options.uuid ?? randomUUID;
    this.maxAggregates = options.maxAggregates ?? DEFAULT_MAX_AGGREGATES;
    this.targetUuid = this.uuid();
  }

  /** Records one occurrence and returns the aggregation key it was counted under. */
  report(thrown: unknown, options: ReportOptions = {}): string {
    const error = errorDetailsOf(thrown);
    const key = options.key || aggregationKey(error.class, error.message, error.stacktrace);
    const severity = options.severity ?? 'error';
    const now = this.clock.now();
    const occurrence: StoredOccurrence = {
      error,
      uuid: this.uuid(),
      timestamp: now,
      severity,
      http_context: options.httpContext === undefined ? null : redactedHttpContext(options.httpContext),
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

  /** A detached copy: callers may serialise or mutate it while reports keep arriving. */
  export(): ExportedErrors {
    return structuredClone({
      aggregated_errors: [...this.aggregates].map(([key, aggregate]) => exportedAggregate(key, aggregate)),
      target_uuid: this.targetUuid,
    });
  }
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

/** What a thrown value looks like in the scraped format; anything can be thrown in JavaScript. */
export function errorDetailsOf(thrown: unknown): ErrorDetails {
  return detailsWithCauses(thrown, 0, new Set());
}

function detailsWithCauses(thrown: unknown, depth: number, seen: Set<unknown>): ErrorDetails {
  seen.add(thrown);
  const cause = typeof thrown === 'object' && thrown !== null ? (thrown as { cause?: unknown }).cause : undefined;
  // Cycles (an error that is its own cause) end where they loop back.
  const followCause = cause !== undefined && depth < MAX_REPORTED_CAUSES && !seen.has(cause);
  return {
    class: classOf(thrown),
    message: messageOf(thrown),
    stacktrace: stackLinesOf(thrown),
    cause: followCause ? detailsWithCauses(cause, depth + 1, seen) : null,
  };
}

function classOf(thrown: unknown): string {
  if (thrown === null) return 'null';
  if (typeof thrown !== 'object' && typeof thrown !== 'function') return typeof thrown;
  const constructorName = (thrown as { constructor?: { name?: unknown } }).constructor?.name;
  if (typeof constructorName === 'string' && constructorName !== '') return constructorName;
  const name = (thrown as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : 'Object';
}

function messageOf(thrown: unknown): string {
  if (typeof thrown === 'string') return thrown;
  if (typeof thrown !== 'object' || thrown === null) return String(thrown);
  const message = (thrown as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  try {
    return JSON.stringify(thrown) ?? String(thrown);
  } catch {
    return String(thrown);
  }
}

// A V8 stack starts with "<name>: <message>", which spans several lines when the message does;
// the frames are the lines from the first "at " on. Other formats lose only their first line.
function stackLinesOf(thrown: unknown): string[] {
  const stack = typeof thrown === 'object' && thrown !== null ? (thrown as { stack?: unknown }).stack : undefined;
  if (typeof stack !== 'string') return [];
  const lines = stack.split('\n');
  const firstFrame = lines.findIndex((line) => /^\s+at /.test(line));
  return lines
    .slice(firstFrame === -1 ? 1 : firstFrame)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function redactedHttpContext(context: ReportedHttpContext): HttpContext {
  return {
    request_method: context.method,
    request_url: context.url,
    request_headers: Object.fromEntries(
      Object.entries(context.headers)
        .filter((entry): entry is [string, string | readonly string[] | number] => entry[1] !== undefined)
        .filter(([name]) => name !== '__proto__')
        .map(([name, value]) => [name, SECRET_HEADERS.has(name.toLowerCase()) ? REDACTED : headerText(value)]),
    ),
    request_body: context.body ?? null,
  };
}

function headerText(value: string | readonly string[] | number): string {
  return typeof value === 'object' ? value.join(', ') : String(value);
}
