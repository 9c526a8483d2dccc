// The scraped format (proto/errors.proto) as it travels in JSON: snake_case, exactly what the
// periskop client libraries expose on their /errors endpoint and send to /push. The shapes
// shared with the client library are its own; the server normalises times to epoch ms.
import type { ErrorDetails, HttpContext, Severity } from '@periskop/client';

export type { ErrorDetails, HttpContext, Severity };

export interface ErrorOccurrence {
  error: ErrorDetails;
  uuid: string;
  /** RFC 3339 as sent by the client; normalised to epoch milliseconds by validation. */
  timestamp: number;
  severity: Severity;
  http_context: HttpContext | null;
}

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
