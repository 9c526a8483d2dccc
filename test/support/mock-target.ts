import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A service instance exposing pre-aggregated errors on /errors, as a periskop client does. */
export class MockTarget {
  /** What GET /errors answers; a function runs per request. */
  body: unknown = { aggregated_errors: [] };
  status = 200;
  /** When set, requests are accepted and never answered. */
  hang = false;
  hits = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<MockTarget> {
    const server = createServer();
    const target = new MockTarget(server);
    server.on('request', (request, response) => {
      target.hits++;
      if (target.hang) return;
      if (request.url !== '/errors') {
        response.writeHead(404).end('not found');
        return;
      }
      const body = typeof target.body === 'function' ? (target.body as () => unknown)() : target.body;
      response.writeHead(target.status, { 'content-type': 'application/json' });
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return target;
  }

  get address(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get url(): string {
    return `http://${this.address}/errors`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export interface OccurrenceSpec {
  uuid: string;
  timestamp: string;
  message?: string;
}

/** A payload in the scraped format with one aggregated error per entry. */
export function errorsPayload(targetUuid: string | null, errors: { key: string; total: number; occurrences: OccurrenceSpec[]; severity?: string }[]) {
  return {
    ...(targetUuid === null ? {} : { target_uuid: targetUuid }),
    aggregated_errors: errors.map((e) => ({
      aggregation_key: e.key,
      total_count: e.total,
      severity: e.severity ?? 'error',
      latest_errors: e.occurrences.map((o) => ({
        error: { class: e.key.split('@')[0], message: o.message ?? 'boom', stacktrace: ['at a()', 'at b()'], cause: null },
        uuid: o.uuid,
        timestamp: o.timestamp,
        severity: e.severity ?? 'error',
        http_context: { request_method: 'GET', request_url: 'http://svc/x', request_headers: { Accept: '*/*' }, request_body: null },
      })),
    })),
  };
}
