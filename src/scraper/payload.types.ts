// The scraped format (proto/errors.proto) as it travels in JSON: snake_case, exactly what the
// periskop client libraries expose on their /errors endpoint and send to /push.

export interface ErrorDetails {
  class: string;
  message: string;
  stacktrace: string[];
  cause: ErrorDetails | null;
}

export interface HttpContext {
  request_method: string;
  request_url: string;
  request_headers: Record<string, string>;
  request_body: string | null;
}

export interface ErrorOccurrence {
  error: ErrorDetails;
  uuid: string;
  /** RFC 3339 as sent by the client; normalised to epoch milliseconds by validation. */
  timestamp: number;
  severity: Severity;
  http_context: HttpContext | null;
}

export type Severity = 'info' | 'warning' | 'error';

export interface AggregatedErrorPayload {
  aggregation_key: string;
  total_count: number;
  severity: Severity;
  /** Epoch milliseconds; absent in most clients' payloads. */
  created_at: number | null;
  latest_errors: ErrorOccurrence[];
}

export interface ScrapedPayload {
  target_uuid: string | null;
  aggregated_errors: AggregatedErrorPayload[];
}
