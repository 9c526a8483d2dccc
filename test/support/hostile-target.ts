import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Route = (request: IncomingMessage, response: ServerResponse) => void;

const MiB = 2 ** 20;

/** Streams `bytes` of a JSON string as fast as the reader takes them, stopping when it hangs up. */
function stream(response: ServerResponse, bytes: number, declareLength: boolean): void {
  response.writeHead(200, { 'content-type': 'application/json', ...(declareLength ? { 'content-length': String(bytes) } : {}) });
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const prefix = '{"aggregated_errors": [], "padding": "';
  response.write(prefix);
  let sent = prefix.length;
  const pump = () => {
    while (sent < bytes - 2 && !response.destroyed) {
      const size = Math.min(chunk.length, bytes - 2 - sent);
      sent += size;
      if (!response.write(chunk.subarray(0, size))) return void response.once('drain', pump);
    }
    if (!response.destroyed) response.end('"}');
  };
  pump();
}

/**
 * A target that answers in every way a broken or malicious one does, one path each. Each path
 * is scraped as its own target (a full URL in static_configs).
 */
export const HOSTILE_ROUTES: Record<string, Route> = {
  '/not-json': (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not json</html>'),
  '/wrong-types': (_req, res) => res.end(JSON.stringify({ aggregated_errors: [{ aggregation_key: 42, total_count: 'many' }] })),
  '/deep': (_req, res) => res.end(`{"aggregated_errors": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
  '/proto': (_req, res) => res.end('{"__proto__": {"aggregated_errors": []}, "constructor": {"prototype": {"polluted": true}}}'),
  '/huge-declared': (_req, res) => stream(res, 60 * MiB, true),
  '/huge-streamed': (_req, res) => stream(res, 60 * MiB, false),
  '/never-ends': (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).write('{"aggregated_errors": ['),
  '/500': (_req, res) => res.writeHead(500, 'Internal Server Error').end('oops'),
  '/loop': (_req, res) => res.writeHead(302, { location: '/loop' }).end(),
  '/elsewhere': (_req, res) => res.writeHead(302, { location: 'http://192.0.2.1/errors' }).end(),
};

/** The ScrapeFailed reason each hostile path must produce. */
export const HOSTILE_REASONS: Record<string, string> = {
  '/not-json': 'invalid_json',
  '/wrong-types': 'invalid_shape',
  '/deep': 'invalid_shape',
  '/proto': 'invalid_shape',
  '/huge-declared': 'too_large',
  '/huge-streamed': 'too_large',
  '/never-ends': 'timeout',
  '/500': 'http_status',
  '/loop': 'http_status',
  '/elsewhere': 'http_status',
};

export class HostileTarget {
  private constructor(private readonly server: Server) {}

  static async start(): Promise<HostileTarget> {
    const server = createServer((request, response) => {
      const route = HOSTILE_ROUTES[request.url ?? ''];
      if (route) route(request, response);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new HostileTarget(server);
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
