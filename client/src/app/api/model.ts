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
  /** RFC 3339: the list as it stood then (built from the event log); absent or null: live. */
  at?: string | null;
}

/** An error is "regressed" when it came back after being resolved, and is not resolved again. */
export function isRegressed(error: Pick<ErrorSummary, 'reopened_at' | 'resolved_at'>): boolean {
  return error.reopened_at !== null && error.resolved_at === null;
}

export function severityClass(severity: string | null | undefined): Severity {
  const s = (severity ?? '').toLowerCase();
  return s === 'info' || s === 'warning' ? s : 'error';
}
