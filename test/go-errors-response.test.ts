import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { MockTarget, errorsPayload } from './support/mock-target.js';
import { PeriskopUnderTest } from './support/periskop-under-test.js';
import { temporaryDir } from './support/test-event-logs.js';
import { waitFor } from './support/wait-for.js';

// GET /services/:service/errors/ is sent from a prepared body: the Go bytes for clients that do
// not ask for more, gzip for those that do, 304 for a body the client holds; a resolve shows at
// once. Raw HTTP here: fetch would ask for gzip and decode it.

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bytes: Buffer;
}

function rawGet(url: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, bytes: Buffer.concat(chunks) }));
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

describe('GET /services/:service/errors/', () => {
  let target: MockTarget;
  let periskop: PeriskopUnderTest;
  let events: { dir: string; remove: () => Promise<void> };
  const url = () => `${periskop.baseUrl}/services/shop/errors/`;

  beforeAll(async () => {
    target = await MockTarget.start();
    events = await temporaryDir();
    target.body = errorsPayload('t', [
      { key: 'java.lang.NullPointerException@1', total: 5, occurrences: [{ uuid: 'n1', timestamp: '2024-05-01T10:00:00Z', message: 'user was null ✓' }] },
      { key: 'payments/Timeout@2', total: 2, severity: 'warning', occurrences: [{ uuid: 't1', timestamp: '2024-05-01T12:00:00Z', message: 'slow' }] },
    ]);
    periskop = await PeriskopUnderTest.start({
      events: { type: 'embedded', path: events.dir },
      services: [{ name: 'shop', static_configs: [{ targets: [target.address] }], scraper: { endpoint: '/errors', refresh_interval: '100ms' } }],
    });
    await waitFor(async () => (await periskop.get('/services/shop/errors/')).json?.().length === 2, 10_000, 'two errors');
    await periskop.settled();
  });

  afterAll(async () => {
    await periskop.stop();
    await target.stop();
    await events.remove();
  });

  it('sends the Go bytes to a client that does not ask for gzip', async () => {
    const plain = await rawGet(url());
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(Number(plain.headers['content-length'])).toBe(plain.bytes.length);
    const text = plain.bytes.toString();
    expect(text.endsWith('}]\n')).toBe(true);
    expect(`${JSON.stringify(JSON.parse(text))}\n`).toBe(text);
    expect(text).toContain('user was null ✓');
  });

  it.each([['gzip'], ['gzip, deflate, br'], ['*']])('gzips for Accept-Encoding %s, decoding to the same bytes', async (acceptEncoding) => {
    const plain = await rawGet(url());
    const zipped = await rawGet(url(), { 'Accept-Encoding': acceptEncoding });
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toMatch(/Accept-Encoding/);
    expect(zipped.headers.etag).not.toBe(plain.headers.etag);
    expect(zipped.bytes.length).toBeLessThan(plain.bytes.length);
    expect(gunzipSync(zipped.bytes).equals(plain.bytes)).toBe(true);
  });

  it.each([
    ['the plain ETag', {}],
    ['the gzip ETag', { 'Accept-Encoding': 'gzip' }],
  ])('answers 304 without a body to If-None-Match with %s', async (_name, headers: Record<string, string>) => {
    const first = await rawGet(url(), headers);
    const again = await rawGet(url(), { ...headers, 'If-None-Match': first.headers.etag as string });
    expect(again.status).toBe(304);
    expect(again.bytes.length).toBe(0);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect((await rawGet(url(), { ...headers, 'If-None-Match': '"something-else"' })).status).toBe(200);
  });

  it('answers 404 for an unknown service', async () => {
    const answer = await rawGet(`${periskop.baseUrl}/services/nope/errors/`);
    expect(answer.status).toBe(404);
    expect(answer.bytes.toString()).toBe('service nope not found\n');
  });

  it('shows a resolve right after DELETE returns, with a new ETag', async () => {
    const before = await rawGet(url());
    expect(await periskop.delete('/services/shop/errors/payments/Timeout@2/')).toBe(204);
    const after = await rawGet(url(), { 'If-None-Match': before.headers.etag as string });
    expect(after.status).toBe(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(JSON.parse(after.bytes.toString()).map((e: { aggregation_key: string }) => e.aggregation_key)).toEqual(['java.lang.NullPointerException@1']);
  });
});
