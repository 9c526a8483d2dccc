// The scraped format (Periskop's errors.proto) as it travels in JSON: snake_case keys and
// RFC 3339 timestamps, exactly what periskop-go, -python, -scala and -ruby expose on /errors.

export type Severity = 'info' | 'warning' | 'error';

export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'error'];

export interface ErrorDetails {
  class: string;
  message: string;
  /** Stack frames, innermost first, without the "Class: message" header line. */
  stacktrace: string[];
  cause: ErrorDetails | null;
}

export interface HttpContext {
  request_method: string;
  request_url: string;
  request_headers: Record<string, string>;
  request_body: string | null;
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
  /** At most 10, oldest first, as periskop-go exports them. */
  latest_errors: ExportedOccurrence[];
}

/** What GET /errors answers and what a push sends. */
export interface ExportedErrors {
  aggregated_errors: ExportedAggregatedError[];
  /** One per collector (per process): tells the instances of a service apart. */
  target_uuid: string;
}
