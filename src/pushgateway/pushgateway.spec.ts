import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayState } from './gateway-state.js';
import { createPushgatewayServer } from './pushgateway.js';

// The gateway's HTTP surface on a real socket; test/pushgateway.test.ts runs the command.

describe('pushgateway HTTP', () => {
  let server: Server;
  let base: string;

  beforeEach(async () => {
    server = createPushgatewayServer({ state: new GatewayState({ targetUuid: 'gw' }), bodyLimitBytes: 1024 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function request(method: string, path: string, body?: string) {
    const response = await fetch(base + path, { method, ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
  }

  const push = { target_uuid: 't1', aggregated_errors: [{ aggregation_key: 'E', total_count: 1, latest_errors: [] }] };

  it('redacts secret request headers of pushed occurrences before keeping them', async () => {
    const occurrence = (uuid: string) => ({
      uuid,
      timestamp: '2024-05-01T10:00:00Z',
      error: { class: 'E', message: 'm' },
      http_context: { request_method: 'GET', request_url: '/x', request_headers: { Authorization: 'Bearer s3cret', Accept: '*/*' } },
    });
    const leaky = { target_uuid: 'leaky', aggregated_errors: [{ aggregation_key: 'Leak', total_count: 1, latest_errors: [occurrence('l1')] }] };
    expect((await request('POST', '/errors', JSON.stringify(leaky))).status).toBe(200);
    const served = await request('GET', '/-/errors');
    expect(served.text).not.toContain('s3cret');
    const leak = served.json().aggregated_errors.find((e: { aggregation_key: string }) => e.aggregation_key === 'Leak');
    expect(leak.latest_errors[0].http_context.request_headers).toEqual({ Authorization: '[REDACTED]', Accept: '*/*' });
  });

  it('takes a push and serves it on /-/errors and /-/errors/', async () => {
    const pushed = await request('POST', '/errors', JSON.stringify(push));
    expect(pushed.status).toBe(200);
    expect(pushed.json()).toEqual({ accepted: 1, counted: 1 });
    for (const path of ['/-/errors', '/-/errors/', '/-/errors?x=1']) {
      const answer = await request('GET', path);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('application/json');
      expect(answer.json()).toMatchObject({ target_uuid: 'gw', aggregated_errors: [{ aggregation_key: 'E', total_count: 1 }] });
    }
  });

  it('answers OK on /-/health', async () => {
    expect(await request('GET', '/-/health')).toMatchObject({ status: 200, text: 'OK' });
  });

  it.each<[string, string, string | undefined]>([
    ['invalid JSON', '{"aggregated_errors": [', undefined],
    ['a wrong shape', JSON.stringify({ target_uuid: 't', aggregated_errors: [{ aggregation_key: 'k', total_count: -1 }] }), 'aggregated_errors[0].total_count'],
    ['a missing aggregated_errors', JSON.stringify({ target_uuid: 't' }), 'aggregated_errors'],
    ['a missing target_uuid', JSON.stringify({ aggregated_errors: [] }), 'target_uuid'],
  ])('refuses %s with 400 naming the field', async (_case, body, field) => {
    const answer = await request('POST', '/errors', body);
    expect(answer.status).toBe(400);
    if (field === undefined) expect(answer.json().message).toMatch(/^invalid JSON: /);
    else expect(answer.json()).toMatchObject({ field, message: expect.stringContaining(field) });
  });

  it('refuses a body over the limit with 413', async () => {
    const answer = await request('POST', '/errors', JSON.stringify({ ...push, padding: 'x'.repeat(2048) }));
    expect(answer.status).toBe(413);
    expect(answer.json().message).toBe('request body is larger than the limit of 1024 bytes');
    expect((await request('GET', '/-/errors')).json().aggregated_errors).toEqual([]);
  });

  it('answers 405 to a wrong method and 404 to an unknown path', async () => {
    const wrong = await request('GET', '/errors');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect((await request('DELETE', '/-/errors')).status).toBe(405);
    expect((await request('GET', '/nothing')).status).toBe(404);
  });
});
