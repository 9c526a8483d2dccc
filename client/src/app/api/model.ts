// The shapes the Periskop server answers (times in Unix seconds, as the Go API served them).

export type Severity = 'info' | 'warning' | 'error';

export interface ErrorInstance {
  class: string;
  message: string;
  stacktrace: string[] | null;
  cause: ErrorInstance | null;
}

export interface HttpContext {
  request_method: string;
  request_url: string;
  request_headers: Record<string, string> | null;
  request_body: string | null;
}

export interface Occurrence {
  error: ErrorInstance;
  uuid: string;
  timestamp: number;
  severity: string;
  http_context: HttpContext | null;
}

export interface ErrorSummary {
  aggregation_key: string;
  total_count: number;
  severity: string;
  created_at: number;
  last_seen: number | null;
  resolved_at: number | null;
  reopened_at: number | null;
  latest: Occurrence | null;
  /** Occurrences per hour over the last day, oldest first (only when the list was asked for sparklines). */
  sparkline?: number[];
}

export interface ErrorDetail extends ErrorSummary {
  latest_errors: Occurrence[];
}

export interface ErrorPage {
  total: number;
  items: ErrorSummary[];
}

export type TargetStatus = 'unknown' | 'up' | 'down';

export interface TargetHealth {
  endpoint: string;
  address?: string;
  labels?: Record<string, string>;
  status: TargetStatus;
  last_error: { reason: string; detail: string } | null;
  status_at: number | null;
  last_scrape_at: number | null;
  last_duration_ms: number | null;
}

export type TargetsByService = Record<string, TargetHealth[]>;

export type ErrorStatus = 'open' | 'resolved' | 'all';
export type ErrorSort = 'last_seen' | 'total_count' | 'created_at';

export interface ErrorQuery {
  status: ErrorStatus;
  severity: Severity | null;
  q: string;
  sort: ErrorSort;
  order: 'desc' | 'asc';
  offset: number;
  limit: number;
  /** Only errors first seen within this span before now (`new_since`). */
  newWithin?: NewWithin | null;
  /** Ask for each error's sparkline. */
  sparkline?: boolean;
  /** RFC 3339: the list as it stood then (built from the event log); absent or null: live. */
  at?: string | null;
}

export type NewWithin = '1h' | '24h' | '7d' | '30d';

export const NEW_WITHIN_MS: Readonly<Record<NewWithin, number>> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };

/** Key of the first-seen times in a breakdown answer (never a target label: those never start with `__`). */
export const FIRST_SEEN_KEY = '__first_seen__';

/** `GET /services/:s/errors/:key/breakdown`: label → value → count, and under FIRST_SEEN_KEY label → value → first seen (Unix s). */
export type BreakdownAnswer = Record<string, Record<string, number | Record<string, number>>>;

export interface BreakdownValue {
  value: string;
  count: number;
  firstSeen: number | null;
}

export interface BreakdownLabel {
  label: string;
  /** Largest count first. */
  values: BreakdownValue[];
  /** The value the error was seen in first, null while there is none. */
  earliest: BreakdownValue | null;
}

/** The answer as rows per label, in the server's label order. */
export function breakdownLabels(answer: BreakdownAnswer): BreakdownLabel[] {
  const firstSeen = (answer[FIRST_SEEN_KEY] ?? {}) as Record<string, Record<string, number>>;
  return Object.entries(answer)
    .filter(([label]) => label !== FIRST_SEEN_KEY)
    .map(([label, counts]) => {
      const values = Object.entries(counts as Record<string, number>)
        .map(([value, count]) => ({ value, count, firstSeen: firstSeen[label]?.[value] ?? null }))
        .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
      let earliest: BreakdownValue | null = null;
      for (const v of values) if (v.firstSeen !== null && (earliest?.firstSeen == null || v.firstSeen < earliest.firstSeen)) earliest = v;
      return { label, values, earliest };
    });
}

/** An error is "regressed" when it came back after being resolved, and is not resolved again. */
export function isRegressed(error: Pick<ErrorSummary, 'reopened_at' | 'resolved_at'>): boolean {
  return error.reopened_at !== null && error.resolved_at === null;
}

export function severityClass(severity: string | null | undefined): Severity {
  const s = (severity ?? '').toLowerCase();
  return s === 'info' || s === 'warning' ? s : 'error';
}
