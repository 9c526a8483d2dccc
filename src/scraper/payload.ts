import { createHash } from 'node:crypto';

import type {
  AggregatedErrorPayload,
  ErrorDetails,
  ErrorOccurrence,
  HttpContext,
  ScrapedPayload,
  Severity,
} from './payload.types.js';
import { parseTimestamp } from './timestamp.js';

// Validates and normalises what a periskop client exposes on /errors or pushes. Liberal in what
// it accepts (snake_case or the proto's camelCase, int64 as strings, missing optional fields,
// any RFC 3339 precision or epochs), precise about what it rejects: every error names the path.
// Input objects are only ever read through own known keys and outputs are fresh literals, so
// "__proto__" or "constructor" keys in a payload stay plain data.

export class PayloadError extends Error {
  override readonly name = 'PayloadError';

  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

/** Keys up to 1 KiB occur in practice; far beyond that a client is hashing nothing. */
export const MAX_AGGREGATION_KEY_LENGTH = 4096;

/** Real cause chains are a handful deep; the limit keeps a hostile payload off the stack. */
export const MAX_CAUSE_DEPTH = 64;

const SEVERITIES: readonly Severity[] = ['info', 'warning', 'error'];

export type JsonObject = Readonly<Record<string, unknown>>;

/**
 * Totals already recorded for a target, by aggregation key. A key whose total_count is the
 * recorded one has nothing new to record, so its occurrences are not read: that key comes
 * back with no latest_errors. Most keys of a scrape are such keys, and reading occurrences
 * (stack traces, timestamps, uuids) is most of the parsing cost.
 */
export type RecordedTotals = (targetUuid: string | null) => ReadonlyMap<string, number> | undefined;

export function parseScrapedPayload(value: unknown, recordedTotals?: RecordedTotals): ScrapedPayload {
  const payload = expectObject(value, 'payload');
  const errorsValue = read(payload, 'aggregated_errors', 'aggregatedErrors');
  if (errorsValue === undefined || errorsValue === null) {
    throw new PayloadError('aggregated_errors', 'is required');
  }
  const target_uuid = optionalString(read(payload, 'target_uuid', 'targetUuid'), 'target_uuid') || null;
  const recorded = recordedTotals?.(target_uuid);
  const aggregated_errors = expectArray(errorsValue, 'aggregated_errors').map((item, index) =>
    parseAggregatedError(item, `aggregated_errors[${index}]`, recorded),
  );
  rejectDuplicateKeys(aggregated_errors);
  return { target_uuid, aggregated_errors };
}

/**
 * The target_uuid parseScrapedPayload reads from this payload value, null when there is none
 * (or it is not a string: parseScrapedPayload rejects that payload).
 */
export function targetUuidOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const uuid = read(value as JsonObject, 'target_uuid', 'targetUuid');
  return typeof uuid === 'string' && uuid !== '' ? uuid : null;
}

/** The aggregation key parseScrapedPayload reads from this aggregated error's value, null when there is none. */
export function aggregationKeyOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const key = read(value as JsonObject, 'aggregation_key', 'aggregationKey');
  return typeof key === 'string' ? key : null;
}

/** Fields of an aggregated error that parseAggregatedError reads besides its occurrences. */
const AGGREGATE_FIELDS = ['aggregation_key', 'aggregationKey', 'total_count', 'totalCount', 'severity', 'created_at', 'createdAt'];

/**
 * An aggregated error's value without its occurrences: parsed where its total_count is the
 * recorded one, it gives what the whole value gives (occurrences are not read then), and it
 * holds a few fields instead of ten stack traces.
 */
export function withoutOccurrences(value: unknown): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const item = value as JsonObject;
  const kept: Record<string, unknown> = {};
  for (const field of AGGREGATE_FIELDS) if (Object.hasOwn(item, field)) kept[field] = item[field];
  return kept;
}

function parseAggregatedError(value: unknown, path: string, recorded: ReadonlyMap<string, number> | undefined): AggregatedErrorPayload {
  const item = expectObject(value, path);
  const severity = parseSeverity(read(item, 'severity'), `${path}.severity`) ?? 'error';
  const aggregation_key = parseAggregationKey(read(item, 'aggregation_key', 'aggregationKey'), `${path}.aggregation_key`);
  const total_count = parseCount(read(item, 'total_count', 'totalCount'), `${path}.total_count`);
  const occurrences = recorded?.get(aggregation_key) === total_count ? undefined : read(item, 'latest_errors', 'latestErrors');
  return {
    aggregation_key,
    total_count,
    severity,
    created_at: parseTimestamp(read(item, 'created_at', 'createdAt')),
    latest_errors:
      occurrences === undefined || occurrences === null
        ? []
        : expectArray(occurrences, `${path}.latest_errors`).map((occurrence, index) =>
            parseOccurrence(occurrence, `${path}.latest_errors[${index}]`, severity),
          ),
  };
}

function parseAggregationKey(value: unknown, path: string): string {
  if (value === undefined || value === null || value === '') throw new PayloadError(path, 'is required');
  if (typeof value !== 'string') throw new PayloadError(path, `expected a string, got ${describeValue(value)}`);
  if (value.length > MAX_AGGREGATION_KEY_LENGTH) {
    throw new PayloadError(path, `is ${value.length} characters long, the limit is ${MAX_AGGREGATION_KEY_LENGTH}`);
  }
  return value;
}

// Go's proto JSON mapping writes int64 as a decimal string, so "12" is as good as 12.
function parseCount(value: unknown, path: string): number {
  if (value === undefined || value === null) throw new PayloadError(path, 'is required');
  const count = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
    throw new PayloadError(path, `expected a non-negative integer, got ${describeValue(value)}`);
  }
  return count;
}

/** The severity, or null when the client left it out. */
function parseSeverity(value: unknown, path: string): Severity | null {
  if (value === undefined || value === null || value === '') return null;
  const severity = typeof value === 'string' ? value.toLowerCase() : value;
  if (!SEVERITIES.includes(severity as Severity)) {
    throw new PayloadError(path, `expected one of info, warning, error, got ${describeValue(value)}`);
  }
  return severity as Severity;
}

function parseOccurrence(value: unknown, path: string, aggregateSeverity: Severity): ErrorOccurrence {
  const item = expectObject(value, path);
  const rawTimestamp = read(item, 'timestamp');
  if (rawTimestamp === undefined || rawTimestamp === null || rawTimestamp === '') {
    throw new PayloadError(`${path}.timestamp`, 'is required');
  }
  const timestamp = parseTimestamp(rawTimestamp);
  if (timestamp === null) {
    throw new PayloadError(`${path}.timestamp`, `${describeValue(rawTimestamp)} is not an RFC 3339 timestamp or epoch`);
  }
  const rawError = read(item, 'error');
  // proto3 JSON leaves out an all-default message, so a missing error is an empty one.
  const error =
    rawError === undefined || rawError === null ? emptyErrorDetails() : parseErrorDetails(rawError, `${path}.error`, 0);
  const uuid = optionalString(read(item, 'uuid'), `${path}.uuid`) || derivedUuid(timestamp, error);
  return {
    error,
    uuid,
    timestamp,
    severity: parseSeverity(read(item, 'severity'), `${path}.severity`) ?? aggregateSeverity,
    http_context: parseHttpContext(read(item, 'http_context', 'httpContext'), `${path}.http_context`),
  };
}

function parseErrorDetails(value: unknown, path: string, depth: number): ErrorDetails {
  if (depth > MAX_CAUSE_DEPTH) {
    throw new PayloadError(path, `cause chain is deeper than ${MAX_CAUSE_DEPTH}`);
  }
  const item = expectObject(value, path);
  const stacktrace = read(item, 'stacktrace');
  const cause = read(item, 'cause');
  return {
    class: optionalString(read(item, 'class'), `${path}.class`),
    message: optionalString(read(item, 'message'), `${path}.message`),
    stacktrace:
      stacktrace === undefined || stacktrace === null
        ? []
        : expectArray(stacktrace, `${path}.stacktrace`).map((line, index) =>
            requiredString(line, `${path}.stacktrace[${index}]`),
          ),
    cause: cause === undefined || cause === null ? null : parseErrorDetails(cause, `${path}.cause`, depth + 1),
  };
}

function emptyErrorDetails(): ErrorDetails {
  return { class: '', message: '', stacktrace: [], cause: null };
}

// Every real client sends a uuid; for one that does not, an id derived from the content keeps
// re-scrapes of the same occurrence de-duplicated instead of multiplying it.
function derivedUuid(timestamp: number, error: ErrorDetails): string {
  return createHash('sha1').update(JSON.stringify({ timestamp, error })).digest('hex');
}

function parseHttpContext(value: unknown, path: string): HttpContext | null {
  if (value === undefined || value === null) return null;
  const item = expectObject(value, path);
  const body = read(item, 'request_body', 'requestBody');
  return {
    request_method: optionalString(read(item, 'request_method', 'requestMethod'), `${path}.request_method`),
    request_url: optionalString(read(item, 'request_url', 'requestUrl'), `${path}.request_url`),
    request_headers: parseHeaders(read(item, 'request_headers', 'requestHeaders'), `${path}.request_headers`),
    request_body: body === undefined || body === null ? null : requiredString(body, `${path}.request_body`),
  };
}

function parseHeaders(value: unknown, path: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  const headers = expectObject(value, path);
  return Object.fromEntries(
    Object.entries(headers)
      .filter(([name]) => name !== '__proto__')
      .map(([name, headerValue]) => [name, headerText(headerValue, `${path}[${JSON.stringify(name)}]`)]),
  );
}

/** Multi-value headers are a list or two deep; deeper is hostile (JSON.stringify would overflow the stack). */
export const MAX_HEADER_VALUE_DEPTH = 8;

// Header maps are map<string, string> in the proto, but clients built from a raw request object
// may pass numbers or multi-value arrays through.
function headerText(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    if (nestedDeeperThan(value, MAX_HEADER_VALUE_DEPTH)) {
      throw new PayloadError(path, `expected a string, got a value nested deeper than ${MAX_HEADER_VALUE_DEPTH} levels`);
    }
    return JSON.stringify(value);
  }
  return String(value);
}

/** Iterative, so a 100,000-deep value costs a loop, not the stack. */
function nestedDeeperThan(value: object, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}

function rejectDuplicateKeys(errors: readonly AggregatedErrorPayload[]): void {
  const firstIndexByKey = new Map<string, number>();
  errors.forEach(({ aggregation_key }, index) => {
    const first = firstIndexByKey.get(aggregation_key);
    if (first !== undefined) {
      throw new PayloadError(
        `aggregated_errors[${index}].aggregation_key`,
        `${describeValue(aggregation_key)} duplicates aggregated_errors[${first}].aggregation_key`,
      );
    }
    firstIndexByKey.set(aggregation_key, index);
  });
}

/** The snake_case field, else its camelCase spelling; own properties only. */
function read(item: JsonObject, name: string, camelName?: string): unknown {
  if (Object.hasOwn(item, name) && item[name] !== undefined) return item[name];
  return camelName !== undefined && Object.hasOwn(item, camelName) ? item[camelName] : undefined;
}

function expectObject(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PayloadError(path, `expected an object, got ${describeValue(value)}`);
  }
  return value as JsonObject;
}

function expectArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new PayloadError(path, `expected an array, got ${describeValue(value)}`);
  return value;
}

/** A string, with missing and null read as "" (proto3's default). */
function optionalString(value: unknown, path: string): string {
  return value === undefined || value === null ? '' : requiredString(value, path);
}

function requiredString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new PayloadError(path, `expected a string, got ${describeValue(value)}`);
  return value;
}

/** A short rendering of an offending value for error messages. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const shown = value.length > 64 ? `${value.slice(0, 64)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}
