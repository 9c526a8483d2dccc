import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConcurrencyLimit } from '../src/concurrency/concurrency-limit.js';
import { BodyBuffers } from '../src/scraper/body-buffers.js';
import { fetchTarget } from '../src/scraper/fetch-target.js';
import { TargetConnection } from '../src/scraper/target-connection.js';
import { LOOPBACK_TEST_CERTIFICATE, LOOPBACK_TEST_KEY } from './support/test-certificate.js';
import { temporaryDir } from './support/test-event-logs.js';

// The scraper's own HTTP/1.1 client (target-connection.ts) against targets that write their
// answers byte for byte: a raw TCP server, one scripted answer per path.

type Script = (socket: Socket) => void;

const PAYLOAD = JSON.stringify({ target_uuid: 't', aggregated_errors: [] });
const limits = { timeoutMs: 1000, bodyLimitBytes: 1024 * 1024 };

let server: TcpServer;
let base: string;
const scripts = new Map<string, Script>();
/** Every request the server got: its path and its connection's number. */
const requests: { path: string; connection: number }[] = [];
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createTcpServer((socket) => {
    const connection = sockets.size;
    sockets.add(socket);
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const path = pending.slice(0, end).split(' ')[1] ?? '';
        pending = pending.slice(end + 4);
        requests.push({ path, connection });
        (scripts.get(path) ?? ((s: Socket) => s.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')))(socket);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const chunked = (...chunks: string[]) => `${chunks.map((c) => `${Buffer.byteLength(c).toString(16)}\r\n${c}\r\n`).join('')}0\r\n\r\n`;

scripts.set('/chunked', (s) => s.write(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunked(PAYLOAD.slice(0, 10), PAYLOAD.slice(10))}`));
scripts.set('/chunked-slowly', (s) => {
  // Each piece in a read of its own: the chunk framing is cut at every byte of a size line.
  const answer = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\n${PAYLOAD.slice(0, 5)}\r\n${(PAYLOAD.length - 5).toString(16)}\r\n${PAYLOAD.slice(5)}\r\n0\r\nX-Trailer: yes\r\n\r\n`;
  let at = 0;
  const next = () => {
    if (at >= answer.length || s.destroyed) return;
    s.write(answer.slice(at, at + 3));
    at += 3;
    setTimeout(next, 1);
  };
  next();
});
scripts.set('/length', (s) => s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${PAYLOAD.length}\r\n\r\n${PAYLOAD}`));
scripts.set('/head-in-pieces', (s) => {
  const answer = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${PAYLOAD.length}\r\n\r\n${PAYLOAD}`;
  s.write(answer.slice(0, 20));
  setTimeout(() => s.write(answer.slice(20, 62)), 10);
  setTimeout(() => s.write(answer.slice(62)), 20);
});
scripts.set('/huge-headers', (s) => {
  // Header lines for as long as the reader takes them.
  s.write('HTTP/1.1 200 OK\r\n');
  const line = `X-Padding: ${'p'.repeat(1000)}\r\n`;
  const pump = () => {
    while (!s.destroyed && s.write(line));
    if (!s.destroyed) s.once('drain', pump);
  };
  pump();
});
let endlessBodyFlushed = 0;
scripts.set('/endless-body', (s) => {
  s.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n`);
  const block = Buffer.alloc(64 * 1024, 'x');
  const pump = () => {
    while (!s.destroyed && s.write(block, () => (endlessBodyFlushed += block.length)));
    if (!s.destroyed) s.once('drain', pump);
  };
  pump();
});
const LARGE_BODY = Buffer.alloc(512 * 1024, 'y');
scripts.set('/large', (s) => s.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${LARGE_BODY.length}\r\n\r\n`), LARGE_BODY])));
scripts.set('/silent', () => {});
scripts.set('/head-only', (s) => s.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n'));
scripts.set('/bad-chunk', (s) => s.end(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n`));
scripts.set('/cut-chunked', (s) => {
  s.write(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100\r\n${PAYLOAD}`);
  setTimeout(() => s.destroy(), 20);
});
scripts.set('/not-http', (s) => s.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
scripts.set('/continue', (s) => s.write(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: ${PAYLOAD.length}\r\n\r\n${PAYLOAD}`));
scripts.set('/until-close', (s) => s.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n${PAYLOAD}`));
scripts.set('/then-closes', (s) => {
  // A kept connection its target closes once idle, without saying so in its answer.
  s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${PAYLOAD.length}\r\n\r\n${PAYLOAD}`);
  setTimeout(() => s.destroy(), 20);
});
const answeredOnce = new WeakSet<Socket>();
scripts.set('/drops-second', (s) => {
  // Closes a kept connection as the next request comes, unanswered (a target's idle timeout racing the scrape).
  if (answeredOnce.has(s)) return void s.destroy();
  answeredOnce.add(s);
  s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${PAYLOAD.length}\r\n\r\n${PAYLOAD}`);
});
scripts.set('/extra-bytes', (s) => s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${PAYLOAD.length}\r\n\r\n${PAYLOAD}HTTP/1.1 200 OK\r\n`));
scripts.set('/short-keep-alive', (s) => s.write(`HTTP/1.1 200 OK\r\nKeep-Alive: timeout=2\r\nContent-Length: ${PAYLOAD.length}\r\n\r\n${PAYLOAD}`));
scripts.set('/closes-after', (s) => s.end(`HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: ${PAYLOAD.length}\r\n\r\n${PAYLOAD}`));

/** How many connections served the requests for `path` from request number `from` on. */
const connectionsServing = (path: string, from: number) => new Set(requests.slice(from).filter((r) => r.path === path).map((r) => r.connection)).size;

describe('the scraper\'s HTTP/1.1 client', () => {
  it.each([
    ['a chunked body', '/chunked'],
    ['a chunked body arriving 3 bytes at a time, with extensions and a trailer', '/chunked-slowly'],
    ['a head that arrives in pieces', '/head-in-pieces'],
    ['an answer after 100 Continue and 103 Early Hints', '/continue'],
    ['a body that ends when the target closes the connection', '/until-close'],
  ])('reads %s', async (_name, path) => {
    expect(await fetchTarget(`${base}${path}`, limits)).toMatchObject({ ok: true, bytes: PAYLOAD.length, payload: { target_uuid: 't' } });
  });

  it.each([
    ['by Content-Length', '/length'],
    ['chunked', '/chunked'],
  ])('reuses one connection across scrapes of a body framed %s', async (_name, path) => {
    const from = requests.length;
    for (let i = 0; i < 3; i++) expect(await fetchTarget(`${base}${path}`, limits)).toMatchObject({ ok: true });
    expect(connectionsServing(path, from)).toBe(1);
  });

  it.each([
    ['a body framed by the close', '/until-close'],
    ['an answer that says Connection: close', '/closes-after'],
    ['an answer followed by bytes nobody asked for', '/extra-bytes'],
  ])('opens a new connection after %s', async (_name, path) => {
    const from = requests.length;
    for (let i = 0; i < 2; i++) expect(await fetchTarget(`${base}${path}`, limits)).toMatchObject({ ok: true, bytes: PAYLOAD.length });
    expect(connectionsServing(path, from)).toBe(2);
  });

  it('opens a new connection when the target has closed the kept one', async () => {
    const from = requests.length;
    expect(await fetchTarget(`${base}/then-closes`, limits)).toMatchObject({ ok: true });
    // The target has closed the kept connection (20 ms); the scrape must not fail for it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await fetchTarget(`${base}/then-closes`, limits)).toMatchObject({ ok: true });
    expect(connectionsServing('/then-closes', from)).toBe(2);
  });

  it('sends the scrape again on a new connection when the target closes the kept one unanswered', async () => {
    const from = requests.length;
    for (let i = 0; i < 3; i++) expect(await fetchTarget(`${base}/drops-second`, limits)).toMatchObject({ ok: true });
    expect(connectionsServing('/drops-second', from)).toBe(3);
  });

  it('closes a kept connection a second before the target\'s Keep-Alive timeout', async () => {
    const from = requests.length;
    expect(await fetchTarget(`${base}/short-keep-alive`, limits)).toMatchObject({ ok: true });
    expect(await fetchTarget(`${base}/short-keep-alive`, limits)).toMatchObject({ ok: true });
    expect(connectionsServing('/short-keep-alive', from)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(await fetchTarget(`${base}/short-keep-alive`, limits)).toMatchObject({ ok: true });
    expect(connectionsServing('/short-keep-alive', from)).toBe(2);
  });

  it.each([
    ['saying so', '/closes-after'],
    ['without saying so', '/then-closes'],
  ])('reads an answer held whole while it waited for a body slot, though its target closed the connection %s', async (_how, path) => {
    const bodyReads = new ConcurrencyLimit(1);
    let release!: () => void;
    const held = bodyReads.run(() => new Promise<void>((resolve) => (release = resolve)));
    const scrape = fetchTarget(`${base}${path}`, { ...limits, bodyReads, bodyBuffers: new BodyBuffers(1) });
    setTimeout(release, 100);
    expect(await scrape).toMatchObject({ ok: true, bytes: PAYLOAD.length });
    await held;
    // The closed connection is not kept: the next scrape gets a new one.
    expect(await fetchTarget(`${base}${path}`, limits)).toMatchObject({ ok: true, bytes: PAYLOAD.length });
  });

  it.each([
    ['no answer at all', '/silent'],
    ['headers that never end', '/head-only'],
  ])('times out a target that sends %s, within its timeout', async (_name, path) => {
    const started = performance.now();
    expect(await fetchTarget(`${base}${path}`, limits)).toMatchObject({ ok: false, reason: 'timeout', detail: `no complete answer within ${limits.timeoutMs} ms` });
    expect(performance.now() - started).toBeLessThan(1.5 * limits.timeoutMs);
  });

  it('stops reading an answer while its body waits for a slot', async () => {
    const bodyReads = new ConcurrencyLimit(1);
    let release!: () => void;
    const held = bodyReads.run(() => new Promise<void>((resolve) => (release = resolve)));
    const scrape = fetchTarget(`${base}/endless-body`, { ...limits, bodyReads, bodyBuffers: new BodyBuffers(1) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // What the kernel's socket buffers hold, not the 300 ms of a loopback's GB/s.
    expect(endlessBodyFlushed).toBeLessThan(16 * 1024 * 1024);
    release();
    expect(await scrape).toMatchObject({ ok: false, reason: 'too_large' });
    await held;
  });

  it('holds no more than its head\'s read of an answer whose body waits for a slot, and reads the rest once it starts', async () => {
    const { port } = server.address() as AddressInfo;
    const origin = { secure: false, host: '127.0.0.1', port, key: base };
    const connection = new TargetConnection(origin, { keep: () => {}, forget: () => {} });
    try {
      const head = await connection.request('/large', `127.0.0.1:${port}`, 'test', new AbortController().signal);
      expect(head.status).toBe(200);
      // The whole answer was written at once: the kernel holds the rest while the read waits.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(connection.heldBytes).toBeGreaterThan(0);
      expect(connection.heldBytes).toBeLessThanOrEqual(4 * 1024);
      const body: Buffer[] = [];
      await connection.readBody((bytes, start, end) => body.push(Buffer.from(bytes.subarray(start, end))), new AbortController().signal);
      expect(Buffer.concat(body).equals(LARGE_BODY)).toBe(true);
    } finally {
      connection.destroy();
    }
  });

  it.each([
    ['endless headers', '/huge-headers', /^HPE_HEADER_OVERFLOW: the answer's headers exceed 16384 bytes$/],
    ['a chunk framing error, naming the byte', '/bad-chunk', /^HPE_INVALID_CHUNK_SIZE: chunked body: expected a hex chunk size, got "z" at byte 10$/],
    ['a connection closed in the middle of a chunk', '/cut-chunked', /^ECONNRESET: the target closed the connection before the end of its answer$/],
    ['an answer that is not HTTP', '/not-http', /^HPE_INVALID_STATUS: not an HTTP\/1\.x status line: "SSH-2\.0-OpenSSH_9\.6"$/],
  ])('fails the scrape of %s', async (_name, path, detail) => {
    const outcome = await fetchTarget(`${base}${path}`, limits);
    expect(outcome).toMatchObject({ ok: false, reason: 'connect' });
    expect(outcome.ok ? '' : outcome.detail).toMatch(detail);
    // The next scrape of a good target is not affected.
    expect(await fetchTarget(`${base}/length`, limits)).toMatchObject({ ok: true });
  });
});

describe('the scraper\'s HTTPS', () => {
  let https: HttpsServer;
  let httpsBase: string;

  beforeAll(async () => {
    https = createHttpsServer({ cert: LOOPBACK_TEST_CERTIFICATE, key: LOOPBACK_TEST_KEY }, (req, res) => {
      if (req.url === '/chunked') {
        res.writeHead(200, { 'content-type': 'application/json' });
        // Larger than a TLS record (16 KB): the body comes in many reads.
        res.end(JSON.stringify({ target_uuid: 'tls', aggregated_errors: [], padding: 'p'.repeat(200_000) }));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    httpsBase = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    https.closeAllConnections();
    await new Promise((resolve) => https.close(resolve));
  });

  it('refuses a target whose certificate it does not trust', async () => {
    const outcome = await fetchTarget(`${httpsBase}/chunked`, limits);
    expect(outcome).toMatchObject({ ok: false, reason: 'connect' });
    expect(outcome.ok ? '' : outcome.detail).toMatch(/^DEPTH_ZERO_SELF_SIGNED_CERT: self.signed certificate$/);
  });

  it('scrapes a target it trusts over TLS, twice on one connection (the built server, its CA given by NODE_EXTRA_CA_CERTS)', async () => {
    const { dir, remove } = await temporaryDir();
    const caFile = join(dir, 'ca.pem');
    await writeFile(caFile, LOOPBACK_TEST_CERTIFICATE);
    const connections = new Set<unknown>();
    https.on('secureConnection', (socket) => connections.add(socket));
    const script = `
      const { fetchTarget } = await import(process.env.FETCH_TARGET_MODULE);
      const outcomes = [];
      for (let i = 0; i < 2; i++) {
        const outcome = await fetchTarget(process.env.TARGET, { timeoutMs: 5000, bodyLimitBytes: 1048576 });
        outcomes.push(outcome.ok ? { ok: true, bytes: outcome.bytes, target_uuid: outcome.payload.target_uuid } : outcome);
      }
      console.log(JSON.stringify(outcomes));
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile, TARGET: `${httpsBase}/chunked`, FETCH_TARGET_MODULE: fileURLToPath(new URL('../dist/scraper/fetch-target.js', import.meta.url)) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    await remove();
    expect({ code, output }).toMatchObject({ code: 0 });
    const bytes = JSON.stringify({ target_uuid: 'tls', aggregated_errors: [], padding: 'p'.repeat(200_000) }).length;
    expect(JSON.parse(output)).toEqual([
      { ok: true, bytes, target_uuid: 'tls' },
      { ok: true, bytes, target_uuid: 'tls' },
    ]);
    expect(connections.size).toBe(1);
  });
});
