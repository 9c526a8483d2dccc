import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { MockTarget, errorsPayload } from './support/mock-target.js';
import { PeriskopUnderTest } from './support/periskop-under-test.js';
import { temporaryDir } from './support/test-event-logs.js';
import { waitFor } from './support/wait-for.js';

// The real server with read and write authentication, redaction and limits configured:
// what a client gets at the HTTP boundary, and what reaches the event log.

const READER = `Basic ${Buffer.from('ann:read-pw').toString('base64')}`;
const WRITER = 'Bearer write-token';
const SECRET = 'sk_live_never_store_me';

function occurrenceWithSecrets(uuid: string) {
  return {
    error: { class: 'Leak', message: 'boom', stacktrace: ['at x()'], cause: null },
    uuid,
    timestamp: '2024-05-01T10:00:00Z',
    severity: 'error',
    http_context: {
      request_method: 'POST',
      request_url: 'https://shop.example/pay',
      request_headers: { Authorization: `Bearer ${SECRET}`, cookie: `sid=${SECRET}`, 'X-API-KEY': SECRET, 'X-Request-Id': 'r-1' },
      request_body: `{"card":"${SECRET}"}`,
    },
  };
}

const leakyPayload = (uuid: string) => ({ target_uuid: `t-${uuid}`, aggregated_errors: [{ aggregation_key: 'Leak@1', total_count: 1, severity: 'error', latest_errors: [occurrenceWithSecrets(uuid)] }] });

async function request(periskop: PeriskopUnderTest, path: string, init: RequestInit = {}) {
  const response = await fetch(periskop.baseUrl + path, init);
  const body = await response.text();
  return { status: response.status, headers: response.headers, body, json: () => JSON.parse(body) };
}

function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')![1]) * 1024;
}

async function filesUnder(dir: string): Promise<string> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const texts = await Promise.all(entries.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name))));
  return Buffer.concat(texts).toString('latin1');
}

describe('security at the HTTP boundary', () => {
  let periskop: PeriskopUnderTest;
  let events: { dir: string; remove: () => Promise<void> };
  let scraped: MockTarget;
  let bodiless: MockTarget;

  beforeAll(async () => {
    events = await temporaryDir();
    scraped = await MockTarget.start();
    scraped.body = leakyPayload('scraped-1');
    bodiless = await MockTarget.start();
    bodiless.body = leakyPayload('bodiless-1');
    periskop = await PeriskopUnderTest.start({
      events: { type: 'embedded', path: events.dir },
      server: {
        auth: { read: { basic_auth: { username: 'ann', password: 'read-pw' } }, write: { bearer_token: 'write-token' } },
        cors: { allowed_origins: ['https://ui.example'] },
        limits: { url_bytes: 2048, header_bytes: 8192, json_body_bytes: 1024, push_body_bytes: '64KiB' },
      },
      services: [
        { name: 'scraped', static_configs: [{ targets: [scraped.address] }], scraper: { refresh_interval: '200ms' } },
        { name: 'bodiless', drop_request_bodies: true, static_configs: [{ targets: [bodiless.address] }], scraper: { refresh_interval: '200ms' } },
        { name: 'guarded', push: { token: 'service-token' } },
        { name: 'pushed' },
      ],
    });
  });

  afterAll(async () => {
    await periskop.stop();
    await Promise.all([scraped.stop(), bodiless.stop(), events.remove()]);
  });

  const authed = (path: string) => request(periskop, path, { headers: { authorization: READER } });

  /** The service's errors once its first ones are visible (its first scrape or push recorded and projected). */
  async function errorsOf(service: string) {
    const visible = async () => {
      const answer = await authed(`/services/${service}/errors/`);
      return answer.status === 200 && (answer.json() as unknown[]).length > 0;
    };
    await waitFor(visible, 10_000, `errors of ${service}`);
    await periskop.settled();
    return (await authed(`/services/${service}/errors/`)).json();
  }

  describe('redaction', () => {
    it('replaces secret header values and keeps the others, before anything is recorded', async () => {
      const [error] = await errorsOf('scraped');
      expect(error.latest_errors[0].http_context).toEqual({
        request_method: 'POST',
        request_url: 'https://shop.example/pay',
        request_headers: { Authorization: '[REDACTED]', cookie: '[REDACTED]', 'X-API-KEY': '[REDACTED]', 'X-Request-Id': 'r-1' },
        request_body: `{"card":"${SECRET}"}`,
      });
    });

    it('drops request bodies of a service that asks for it', async () => {
      const [error] = await errorsOf('bodiless');
      // The Go API writes a missing body as "" (a proto3 string).
      expect(error.latest_errors[0].http_context.request_body).toBe('');
      expect(error.latest_errors[0].http_context.request_headers.Authorization).toBe('[REDACTED]');
    });

    it('redacts pushed occurrences too, and no secret header reaches the event log', async () => {
      const pushed = await request(periskop, '/push/pushed/errors', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: WRITER },
        body: JSON.stringify(leakyPayload('pushed-1')),
      });
      expect(pushed.status).toBe(200);
      const errors = await errorsOf('pushed');
      const leak = errors.find((e: { aggregation_key: string }) => e.aggregation_key === 'Leak@1');
      expect(leak.latest_errors[0].http_context.request_headers.cookie).toBe('[REDACTED]');
      await periskop.settled();
      const log = await filesUnder(events.dir);
      expect(log).toContain('[REDACTED]');
      // The one place the secret may remain is the body of the service that keeps bodies.
      // (each occurrence is logged as its own JSON text, after the event's envelope)
      expect(log.split(SECRET).length - 1).toBe(log.split(`{\\"card\\":\\"${SECRET}\\"}`).length - 1);
      expect(log).not.toContain(`Bearer ${SECRET}`);
      expect(log).not.toContain(`sid=${SECRET}`);
    });
  });

  describe('authentication', () => {
    it('asks for credentials on reads, the UI included, with a browser-friendly challenge', async () => {
      for (const path of ['/services/', '/', '/api/targets', '/metrics']) {
        const answer = await request(periskop, path);
        expect([path, answer.status]).toEqual([path, 401]);
        expect(answer.headers.get('www-authenticate')).toBe('Basic realm="Periskop", charset="UTF-8"');
        expect(answer.json().message).toBe(`GET ${path} needs credentials: basic auth (user and password)`);
      }
    });

    it('serves reads with read or write credentials, and the health and projection to anyone', async () => {
      expect((await authed('/services/')).status).toBe(200);
      expect((await request(periskop, '/services/', { headers: { authorization: WRITER } })).status).toBe(200);
      expect((await request(periskop, '/-/health')).status).toBe(200);
      expect((await request(periskop, '/-/projection')).status).toBe(200);
    });

    it('refuses a wrong password with 401 so a browser asks again', async () => {
      const answer = await request(periskop, '/services/', { headers: { authorization: `Basic ${Buffer.from('ann:nope').toString('base64')}` } });
      expect(answer.status).toBe(401);
      expect(answer.json().message).toBe('the credentials sent for GET /services/ are not accepted; it needs basic auth (user and password)');
    });

    it('lets only write credentials resolve', async () => {
      await errorsOf('scraped');
      const resolve = (authorization?: string) =>
        request(periskop, '/services/scraped/errors/Leak@1/', { method: 'DELETE', headers: authorization ? { authorization } : {} });
      const anonymous = await resolve();
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="Periskop"');
      const reader = await resolve(READER);
      expect(reader.status).toBe(403);
      expect(reader.json().message).toBe('DELETE /services/scraped/errors/Leak@1/ changes data: it needs write credentials (server.auth.write); the ones sent may only read');
      expect((await resolve(WRITER)).status).toBe(204);
    });

    it('keeps the per-service push token, and asks for write credentials on other pushes', async () => {
      const push = (service: string, authorization?: string) =>
        request(periskop, `/push/${service}/errors`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          body: JSON.stringify(errorsPayload('job-1', [{ key: 'E@1', total: 1, occurrences: [] }])),
        });
      expect((await push('guarded', 'Bearer service-token')).status).toBe(200);
      expect((await push('guarded', 'Bearer wrong')).status).toBe(403);
      expect((await push('pushed')).status).toBe(401);
      expect((await push('pushed', READER)).status).toBe(403);
      expect((await push('pushed', WRITER)).status).toBe(200);
    });
  });

  describe('headers and CORS', () => {
    it('sends security headers on the UI and the API', async () => {
      for (const path of ['/', '/services/', '/-/health']) {
        const answer = await authed(path);
        expect(answer.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
        expect(answer.headers.get('content-security-policy')).toContain("script-src 'self'");
        expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
        expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
        expect(answer.headers.get('x-frame-options')).toBe('DENY');
      }
    });

    it('allows only the configured origins, and answers preflights without credentials', async () => {
      const allowed = await request(periskop, '/services/', { headers: { authorization: READER, origin: 'https://ui.example' } });
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://ui.example');
      const other = await request(periskop, '/services/', { headers: { authorization: READER, origin: 'http://localhost:4200' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      const preflight = await request(periskop, '/services/scraped/errors/x/', {
        method: 'OPTIONS',
        headers: { origin: 'https://ui.example', 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'authorization' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-methods')).toContain('DELETE');
      expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');
    });
  });

  describe('size limits', () => {
    it('refuses a URL over server.limits.url_bytes with 414', async () => {
      const answer = await authed(`/services/${'x'.repeat(3000)}/errors/`);
      expect(answer.status).toBe(414);
      expect(answer.json().message).toMatch(/^the request URL is \d+ bytes long; the limit is 2048 bytes \(server\.limits\.url_bytes\)$/);
    });

    it('refuses request headers over server.limits.header_bytes with 431', async () => {
      const answer = await request(periskop, '/services/', { headers: { authorization: READER, 'x-padding': 'p'.repeat(10_000) } });
      expect(answer.status).toBe(431);
      expect(answer.json().message).toBe('the request headers are larger than the limit of 8192 bytes (server.limits.header_bytes)');
    });

    it('answers a 60 MiB streamed push with 413 without buffering it', async () => {
      let sent = 0;
      const chunk = Buffer.alloc(1024 * 1024, 'x');
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"padding": "'));
        },
        pull(controller) {
          sent += chunk.length;
          if (sent > 60 * 1024 * 1024) controller.close();
          else controller.enqueue(chunk);
        },
      });
      const rssBefore = rssOf(periskop.pid);
      const response = await fetch(`${periskop.baseUrl}/push/pushed/errors`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: WRITER },
        body,
        duplex: 'half',
      } as RequestInit);
      // The rest of the body is read and dropped (so the client gets the answer, not a reset), never kept.
      expect(response.status).toBe(413);
      expect(((await response.json()) as { message: string }).message).toBe('the request body is larger than the limit of 65536 bytes (server.limits.push_body_bytes)');
      expect(rssOf(periskop.pid) - rssBefore).toBeLessThan(40 * 1024 * 1024);
    });

    it('answers a request that is not HTTP with 400 and a message', async () => {
      const { port } = new URL(periskop.baseUrl);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(JSON.parse(answer.split('\r\n\r\n')[1]!)).toEqual({ statusCode: 400, message: 'the request is not valid HTTP (HPE_INVALID_METHOD)' });
    });

    it.each([
      ['a push over push_body_bytes', '/push/pushed/errors', 70 * 1024, 'the request body is larger than the limit of 65536 bytes (server.limits.push_body_bytes)'],
      ['any other JSON body over json_body_bytes', '/services/scraped/errors/x/', 2048, 'the request body is larger than the limit of 1024 bytes (server.limits.json_body_bytes)'],
    ])('refuses %s with 413', async (_name, path, size, message) => {
      const answer = await request(periskop, path, {
        method: path.startsWith('/push') ? 'POST' : 'DELETE',
        headers: { 'content-type': 'application/json', authorization: WRITER },
        body: JSON.stringify({ padding: 'x'.repeat(size) }),
      });
      expect(answer.status).toBe(413);
      expect(answer.json().message).toBe(message);
    });
  });
});

describe('security defaults (a Go config file)', () => {
  let periskop: PeriskopUnderTest;
  let events: { dir: string; remove: () => Promise<void> };

  beforeAll(async () => {
    events = await temporaryDir();
    periskop = await PeriskopUnderTest.start({ events: { type: 'embedded', path: events.dir }, services: [] });
  });

  afterAll(async () => {
    await periskop.stop();
    await events.remove();
  });

  it('needs no credentials and allows localhost origins, as the Go server', async () => {
    const local = await request(periskop, '/services/', { headers: { origin: 'http://localhost:3000' } });
    expect(local.status).toBe(200);
    expect(local.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    const remote = await request(periskop, '/services/', { headers: { origin: 'https://evil.example' } });
    expect(remote.headers.get('access-control-allow-origin')).toBeNull();
    expect(remote.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});
