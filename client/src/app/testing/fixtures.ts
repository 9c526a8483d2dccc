import type { ErrorDetail, ErrorInstance, ErrorSummary, Occurrence } from '../api/model';

export function instance(over: Partial<ErrorInstance> = {}): ErrorInstance {
  return { class: 'com.example.Boom', message: 'boom', stacktrace: ['at a()', 'at b()'], cause: null, ...over };
}

export function occurrence(uuid: string, timestamp: number, over: Partial<Occurrence> = {}): Occurrence {
  return {
    error: instance(),
    uuid,
    timestamp,
    severity: 'error',
    http_context: { request_method: 'GET', request_url: `http://svc/${uuid}`, request_headers: { Accept: '*/*' }, request_body: null },
    ...over,
  };
}

export function summary(key: string, over: Partial<ErrorSummary> = {}): ErrorSummary {
  return {
    aggregation_key: key,
    total_count: 1,
    severity: 'error',
    created_at: 1_700_000_000,
    last_seen: 1_700_000_100,
    resolved_at: null,
    reopened_at: null,
    latest: occurrence(`${key}-1`, 1_700_000_100),
    ...over,
  };
}

export function detail(key: string, occurrences: Occurrence[], over: Partial<ErrorDetail> = {}): ErrorDetail {
  return { ...summary(key), latest: occurrences[0] ?? null, latest_errors: occurrences, ...over };
}

export function text(root: ParentNode, selector: string): string {
  return (root.querySelector(selector)?.textContent ?? '').trim();
}

export function all(root: ParentNode, selector: string): string[] {
  return [...root.querySelectorAll(selector)].map((e) => (e.textContent ?? '').trim());
}
