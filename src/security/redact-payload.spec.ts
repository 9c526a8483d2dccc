import type { ErrorOccurrence, ScrapedPayload } from '../scraper/payload.types.js';
import { DEFAULT_REDACT_HEADERS } from '../config/security-config.js';
import { REDACTED, redactPayload } from './redact-payload.js';

function payloadWith(headers: Record<string, string>, body: string | null, httpContext = true): ScrapedPayload {
  const occurrence: ErrorOccurrence = {
    error: { class: 'E', message: 'm', stacktrace: [], cause: null },
    uuid: 'u1',
    timestamp: 1,
    severity: 'error',
    http_context: httpContext ? { request_method: 'GET', request_url: '/x', request_headers: headers, request_body: body } : null,
  };
  return { target_uuid: 't', aggregated_errors: [{ aggregation_key: 'k', total_count: 1, severity: 'error', created_at: null, latest_errors: [occurrence] }] };
}

const contextOf = (payload: ScrapedPayload) => payload.aggregated_errors[0]!.latest_errors[0]!.http_context;
const defaults = { headers: DEFAULT_REDACT_HEADERS, dropRequestBodies: false };

describe('redactPayload', () => {
  it.each([
    ['Authorization in any case', { AUTHORIZATION: 'Bearer abc', accept: '*/*' }, { AUTHORIZATION: REDACTED, accept: '*/*' }],
    ['cookies both ways', { Cookie: 'sid=1', 'Set-Cookie': 'sid=2' }, { Cookie: REDACTED, 'Set-Cookie': REDACTED }],
    ['proxy credentials and API keys', { 'proxy-authorization': 'Basic eA==', 'X-Api-Key': 'k' }, { 'proxy-authorization': REDACTED, 'X-Api-Key': REDACTED }],
    ['nothing secret', { Accept: 'text/html', 'X-Request-Id': 'r' }, { Accept: 'text/html', 'X-Request-Id': 'r' }],
    ['an empty secret value too', { authorization: '' }, { authorization: REDACTED }],
  ])('redacts %s', (_name, headers, expected) => {
    expect(contextOf(redactPayload(payloadWith(headers, '{"a":1}'), defaults))).toEqual({
      request_method: 'GET',
      request_url: '/x',
      request_headers: expected,
      request_body: '{"a":1}',
    });
  });

  it('redacts the configured list instead of the default one', () => {
    const redacted = redactPayload(payloadWith({ Authorization: 'a', 'X-Tenant-Secret': 's' }, null), { headers: ['x-tenant-secret'], dropRequestBodies: false });
    expect(contextOf(redacted)!.request_headers).toEqual({ Authorization: 'a', 'X-Tenant-Secret': REDACTED });
  });

  it('drops request bodies when the service asks, keeping the rest', () => {
    const redacted = redactPayload(payloadWith({ Cookie: 'c' }, 'password=hunter2'), { ...defaults, dropRequestBodies: true });
    expect(contextOf(redacted)).toEqual({ request_method: 'GET', request_url: '/x', request_headers: { Cookie: REDACTED }, request_body: null });
  });

  it('does not touch the input', () => {
    const input = payloadWith({ Authorization: 'secret' }, 'b');
    redactPayload(input, { ...defaults, dropRequestBodies: true });
    expect(contextOf(input)).toMatchObject({ request_headers: { Authorization: 'secret' }, request_body: 'b' });
  });

  it.each([
    ['no http_context', payloadWith({}, null, false)],
    ['no secret header', payloadWith({ Accept: 'x' }, 'b')],
  ])('keeps the same occurrence objects with %s', (_name, input) => {
    const output = redactPayload(input, defaults);
    expect(output.aggregated_errors[0]!.latest_errors[0]).toBe(input.aggregated_errors[0]!.latest_errors[0]);
  });
});
