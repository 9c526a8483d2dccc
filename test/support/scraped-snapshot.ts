import type { PeriskopEvent } from '../../src/events/events.js';

// A SnapshotScraped event of one error for read-model tests: text that databases store
// differently (accents, curly quotes, a NUL), a cause, an HTTP context.

export function snapshot(service: string, targetUuid: string, key: string, total: number, occurrences: { uuid: string; at: number; stack?: string[] }[]): PeriskopEvent {
  return {
    type: 'SnapshotScraped',
    version: 1,
    service,
    at: 1_700_000_000_000,
    data: {
      target: `http://${targetUuid}:7777/errors`,
      target_uuid: targetUuid,
      source: 'scrape',
      aggregated_errors: [
        {
          aggregation_key: key,
          total_count: total,
          severity: 'warning',
          created_at: null,
          latest_errors: occurrences.map((o) => ({
            error: { class: 'E', message: 'naïve — “quoted” \u0000 nul', stacktrace: o.stack ?? ['at x'], cause: { class: 'Cause', message: 'inner', stacktrace: [], cause: null } },
            uuid: o.uuid,
            timestamp: o.at,
            severity: 'warning',
            http_context: { request_method: 'POST', request_url: 'http://svc/x?a=1', request_headers: { 'X-Trace': 'abc' }, request_body: '{"a":1}' },
          })),
        },
      ],
    },
  };
}
