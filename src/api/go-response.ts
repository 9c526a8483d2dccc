import type { Response } from 'express';
import type { AggregatedError } from '../read-model/aggregate-rows.js';
import type { ErrorOccurrence } from '../scraper/payload.types.js';

// The Go server's JSON shapes and byte format (json.Marshal + Fprintln: a trailing newline,
// times in Unix seconds).

/** The Go server's bytes for a JSON value. */
export function goJsonText(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

export function sendJson(response: Response, value: unknown, status = 200): void {
  response.status(status).type('application/json').send(goJsonText(value));
}

/** Like Go's http.Error: plain text with a trailing newline. */
export function sendText(response: Response, status: number, text: string): void {
  response.status(status).type('text/plain; charset=utf-8').send(`${text}\n`);
}

const unixSeconds = (ms: number) => Math.floor(ms / 1000);

export function goOccurrence(o: ErrorOccurrence) {
  return {
    error: o.error,
    uuid: o.uuid,
    timestamp: unixSeconds(o.timestamp),
    severity: o.severity,
    http_context: o.http_context && { ...o.http_context, request_body: o.http_context.request_body ?? '' },
  };
}

export function goErrorAggregate(row: AggregatedError) {
  return {
    aggregation_key: row.aggregationKey,
    total_count: row.totalCount,
    severity: row.severity,
    latest_errors: row.latestErrors.map(goOccurrence),
    created_at: unixSeconds(row.createdAt),
  };
}
