import type { Severity } from '../scraper/payload.types.js';
import { parseTimestamp } from '../scraper/timestamp.js';

/** What the UI's error list asks for: filters, order and a page. */
export interface ErrorSearch {
  status: 'open' | 'resolved' | 'all';
  severity: Severity | null;
  /** Free text matched against keys and occurrences (class, message, stack, URL). */
  text: string | null;
  sort: 'last_seen' | 'total_count' | 'created_at';
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
  /** Epoch ms: only errors first seen after it (`new_since`); null for all. */
  newSince: number | null;
}

export const MAX_PAGE = 500;

export class InvalidSearch extends Error {}

const STATUSES = ['open', 'resolved', 'all'] as const;
const SEVERITIES = ['info', 'warning', 'error'] as const;
const SORTS = ['last_seen', 'total_count', 'created_at'] as const;
const ORDERS = ['asc', 'desc'] as const;

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InvalidSearch(`${name}: "${value}" is not one of ${allowed.join(', ')}`);
}

function count(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > max) throw new InvalidSearch(`${name}: "${value}" is not a whole number from 0 to ${max}`);
  return n;
}

/** Reads the query string of `GET /api/services/:service/errors`. */
export function parseErrorSearch(query: Record<string, string | undefined>): ErrorSearch {
  const severity = query.severity === 'all' ? undefined : query.severity;
  return {
    status: oneOf('status', query.status, STATUSES, 'open'),
    severity: severity ? oneOf('severity', severity, SEVERITIES, 'error') : null,
    text: query.q?.trim() ? query.q.trim() : null,
    sort: oneOf('sort', query.sort, SORTS, 'last_seen'),
    order: oneOf('order', query.order, ORDERS, 'desc'),
    offset: count('offset', query.offset, 0, Number.MAX_SAFE_INTEGER),
    limit: Math.max(1, count('limit', query.limit, 50, MAX_PAGE)),
    newSince: parseQueryTime('new_since', query.new_since),
  };
}

/** A time parameter: RFC 3339 (any precision) or Unix seconds, as the API serves times; null when absent. */
export function parseQueryTime(name: string, value: string | undefined): number | null {
  if (value === undefined || value === '') return null;
  // parseTimestamp reads small numbers as seconds.
  const parsed = parseTimestamp(value);
  if (parsed === null) throw new InvalidSearch(`${name}: "${value}" is not an RFC 3339 time or Unix seconds`);
  return parsed;
}
