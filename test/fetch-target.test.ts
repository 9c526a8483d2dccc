import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConcurrencyLimit } from '../src/concurrency/concurrency-limit.js';
import { BodyBuffers } from '../src/scraper/body-buffers.js';
import { fetchTarget } from '../src/scraper/fetch-target.js';
import { unpackableRecord } from '../src/scraper/inspect-body.js';
import { freePort } from './support/periskop-under-test.js';

// Real HTTP servers on loopback answering the ways broken targets do.
let server: Server;
let base: string;
const routes = new Map<string, (res: import('node:http').ServerResponse) => void>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const route = routes.get(req.url ?? '');
    if (route) route(res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  routes.set('/ok', (res) => res.end(JSON.stringify({ target_uuid: 't', aggregated_errors: [] })));
  routes.set('/500', (res) => res.writeHead(500, 'Internal Server Error').end('oops'));
  routes.set('/not-json', (res) => res.end('<html>'));
  routes.set('/bad-shape', (res) => res.end(JSON.stringify({ aggregated_errors: [{ aggregation_key: 'k', total_count: 'many' }] })));
  routes.set('/never-ends', (res) => res.write('{"aggregated_errors": ['));
  routes.set('/large', (res) => res.end(JSON.stringify({ aggregated_errors: [], padding: 'x'.repeat(2 * 1024 * 1024) })));
  routes.set('/large-chunked', (res) => {
    res.writeHead(200, { 'transfer-encoding': 'chunked' });
    const chunk = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 40; i++) res.write(chunk);
    res.end();
  });
  routes.set('/loop', (res) => res.writeHead(302, { location: '/loop' }).end());
  routes.set('/array', (res) => res.end('[1, 2]'));
  routes.set('/deep', (res) => res.end(`{"aggregated_errors": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`));
  routes.set('/deep-header', (res) =>
    res.end(
      `{"aggregated_errors": [{"aggregation_key": "k", "total_count": 1, "latest_errors": [{"timestamp": 1, "http_context": {"request_headers": {"x": ${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}}}]}]}`,
    ),
  );
  routes.set('/proto', (res) => res.end('{"__proto__": {"aggregated_errors": []}, "constructor": {"prototype": {"polluted": true}}}'));
  let served = 0;
  routes.set('/counting', (res) => {
    served += 1;
    const occurrence = (uuid: string) => ({ uuid, timestamp: 1, error: { class: 'E', message: uuid, stacktrace: [], cause: null } });
    const errors = [
      { aggregation_key: 'still', total_count: 1, latest_errors: [occurrence('s1')] },
      { aggregation_key: 'growing', total_count: served, latest_errors: [occurrence(`g${served}`)] },
    ];
    res.end(JSON.stringify({ target_uuid: 't', aggregated_errors: errors }));
  });
  routes.set('/cut-off', (res) => {
    res.writeHead(200, { 'content-length': '1000' });
    res.write('{"aggregated_errors": [');
    setTimeout(() => res.destroy(), 20);
  });
  routes.set('/bad-location', (res) => res.writeHead(302, { location: 'http://[::1' }).end());
  routes.set('/ok-chunked', (res) => {
    // A body of no declared length, longer than a first pooled buffer: it grows as it comes.
    const text = JSON.stringify({ target_uuid: 't', aggregated_errors: [], padding: 'p'.repeat(300_000) });
    res.writeHead(200, { 'content-type': 'application/json' });
    for (let at = 0; at < text.length; at += 50_000) res.write(text.slice(at, at + 50_000));
    res.end();
  });
  routes.set('/moved', (res) => res.writeHead(301, { location: '/ok' }).end());
  routes.set('/elsewhere', (res) => res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' }).end());
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const limits = { timeoutMs: 500, bodyLimitBytes: 1024 * 1024 };

describe('fetchTarget', () => {
  it('returns the validated payload of a good target', async () => {
    expect(await fetchTarget(`${base}/ok`, limits)).toMatchObject({ ok: true, payload: { target_uuid: 't', aggregated_errors: [] } });
  });

  it('does not parse a body byte for byte the one of the known digest', async () => {
    const first = await fetchTarget(`${base}/ok`, limits);
    if (!first.ok) throw new Error(`scrape failed: ${first.detail}`);
    expect(await fetchTarget(`${base}/ok`, limits, { digest: first.digest })).toEqual({ ok: true, payload: null, bytes: first.bytes, digest: first.digest, segments: null });
    expect(await fetchTarget(`${base}/moved`, limits, { digest: 'another body' })).toMatchObject({ ok: true, payload: { target_uuid: 't' } });
  });

  it('reads bodies no more at once than bodyReads allows; a body that never ends holds up another no longer than its own timeout', async () => {
    const bodyReads = new ConcurrencyLimit(1);
    const finished: string[] = [];
    const scrape = (path: string) =>
      fetchTarget(`${base}${path}`, { ...limits, bodyReads }).then((outcome) => (finished.push(path), outcome));
    // The stalled body takes the only slot first: the good one waits for its timeout, then is read in time of its own.
    const stalled = scrape('/never-ends');
    await new Promise((resolve) => setImmediate(resolve));
    const ok = scrape('/ok');
    expect(await stalled).toMatchObject({ ok: false, reason: 'timeout' });
    expect(await ok).toMatchObject({ ok: true, payload: { target_uuid: 't' } });
    expect(finished).toHaveLength(2);
  });

  it('times out a body that stops arriving after its headers, from when its read started', async () => {
    const started = performance.now();
    expect(await fetchTarget(`${base}/never-ends`, limits)).toMatchObject({ ok: false, reason: 'timeout' });
    // Headers at once, then the body's own timeout: about one timeout, far below two.
    expect(performance.now() - started).toBeLessThan(2 * limits.timeoutMs);
  });

  it('does not count the wait for bodyReads against the target', async () => {
    const bodyReads = new ConcurrencyLimit(1);
    let release!: () => void;
    const held = bodyReads.run(() => new Promise<void>((resolve) => (release = resolve)));
    const scrape = fetchTarget(`${base}/ok`, { ...limits, bodyReads });
    // Longer than the 500 ms timeout, spent waiting for the only body read.
    setTimeout(release, limits.timeoutMs + 300);
    expect(await scrape).toMatchObject({ ok: true, payload: { target_uuid: 't' } });
    await held;
  });

  it('does not read the occurrences of keys whose recorded total is unchanged', async () => {
    const totals = new Map([['k', 1]]);
    const outcome = await fetchTarget(`${base}/deep-header`, limits, { fallbackTargetUuid: 'url', recorded: unpackableRecord({ targetUuid: 'url', totals, segments: new Map(), seen: new Map() }) });
    expect(outcome).toMatchObject({ ok: true, payload: { aggregated_errors: [{ aggregation_key: 'k', total_count: 1, latest_errors: [] }] } });
  });

  it('takes an aggregated error whose bytes were recorded from the record, parsing only the changed one', async () => {
    const first = await fetchTarget(`${base}/counting`, limits);
    if (!first.ok || !first.payload || !first.segments) throw new Error(`expected a split body, got ${JSON.stringify(first)}`);
    const totals = new Map(first.payload.aggregated_errors.map((e) => [e.aggregation_key, e.total_count]));
    const segments = new Map(first.segments.map((s) => [s.digest, s]));
    const second = await fetchTarget(`${base}/counting`, limits, { digest: first.digest, recorded: unpackableRecord({ targetUuid: 't', totals, segments, seen: new Map() }) });
    if (!second.ok || !second.segments) throw new Error(`expected a split body, got ${JSON.stringify(second)}`);
    expect(second.segments[0]).toBe(first.segments[0]);
    expect(second.payload!.aggregated_errors.map((e) => [e.aggregation_key, e.total_count, e.latest_errors.map((o) => o.uuid)])).toEqual([
      ['still', 1, []],
      ['growing', first.payload.aggregated_errors[1]!.total_count + 1, [`g${first.payload.aggregated_errors[1]!.total_count + 1}`]],
    ]);
  });

  it.each([
    ['an HTTP error status', '/500', 'http_status', /HTTP 500/],
    ['a body that is not JSON', '/not-json', 'invalid_json', /JSON/],
    ['JSON of the wrong shape, naming the field', '/bad-shape', 'invalid_shape', /aggregated_errors\[0\]\.total_count/],
    ['a body that never finishes', '/never-ends', 'timeout', /500 ms/],
    ['a declared body over the limit', '/large', 'too_large', /limit of 1048576 bytes/],
    ['a streamed body over the limit', '/large-chunked', 'too_large', /limit of 1048576 bytes/],
    ['a JSON array instead of an object', '/array', 'invalid_shape', /^payload: expected an object, got an array$/],
    ['100,000-deep nesting', '/deep', 'invalid_shape', /^aggregated_errors\[0\]: expected an object/],
    ['a header value nested 100,000 deep', '/deep-header', 'invalid_shape', /nested deeper than 8 levels/],
    ['__proto__ and constructor keys, without polluting anything', '/proto', 'invalid_shape', /^aggregated_errors: is required$/],
    ['a connection closed before the end of the body', '/cut-off', 'connect', /^ECONNRESET: /],
    ['a redirect to a location that is no URL', '/bad-location', 'connect', /Invalid URL/],
    ['a redirect loop', '/loop', 'http_status', /^redirect loop: more than 10 redirects from /],
    ['a redirect to another origin, not followed', '/elsewhere', 'http_status', /^HTTP 307 redirect to http:\/\/169\.254\.169\.254 not followed: scrapes stay on the target's origin http:\/\/127\.0\.0\.1:\d+$/],
  ])('reports %s', async (_name, path, reason, detail) => {
    const outcome = await fetchTarget(`${base}${path}`, limits);
    expect(outcome).toMatchObject({ ok: false, reason });
    expect(outcome.ok ? '' : outcome.detail).toMatch(detail);
  });

  it('leaves Object.prototype alone after a hostile payload', () => {
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['aggregated_errors']).toBeUndefined();
  });

  it('follows a redirect within the target\'s origin', async () => {
    expect(await fetchTarget(`${base}/moved`, limits)).toMatchObject({ ok: true, payload: { target_uuid: 't' } });
  });

  it('reads bodies into reused buffers, each scrape seeing its own body', async () => {
    const bodyBuffers = new BodyBuffers(1);
    const first = await fetchTarget(`${base}/counting`, { ...limits, bodyBuffers });
    const second = await fetchTarget(`${base}/counting`, { ...limits, bodyBuffers });
    if (!first.ok || !second.ok) throw new Error('scrape failed');
    const growing = (outcome: typeof first) => outcome.payload!.aggregated_errors[1]!;
    expect(growing(second).total_count).toBe(growing(first).total_count + 1);
    expect(growing(first).latest_errors[0]!.uuid).toBe(`g${growing(first).total_count}`);
    expect(bodyBuffers.take(1)).toBeInstanceOf(Buffer);
  });

  it('reads a body of no declared length into reused buffers that grow with it', async () => {
    const bodyBuffers = new BodyBuffers(1);
    for (let i = 0; i < 2; i++) {
      const outcome = await fetchTarget(`${base}/ok-chunked`, { ...limits, bodyBuffers });
      expect(outcome).toMatchObject({ ok: true, bytes: 300_000 + JSON.stringify({ target_uuid: 't', aggregated_errors: [], padding: '' }).length });
    }
    expect(bodyBuffers.take(0).byteLength).toBeGreaterThanOrEqual(300_000);
  });

  it('keeps the connection to a target open between scrapes', async () => {
    const sockets = new Set<unknown>();
    const count = (req: import('node:http').IncomingMessage) => sockets.add(req.socket);
    server.on('request', count);
    try {
      for (let i = 0; i < 3; i++) expect(await fetchTarget(`${base}/ok`, limits)).toMatchObject({ ok: true });
    } finally {
      server.off('request', count);
    }
    expect(sockets.size).toBe(1);
  });

  it('reports a refused connection', async () => {
    const port = await freePort();
    expect(await fetchTarget(`http://127.0.0.1:${port}/errors`, limits)).toMatchObject({ ok: false, reason: 'refused' });
  });
});
