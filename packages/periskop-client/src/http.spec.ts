import express from 'express';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ErrorCollector } from './collector.js';
import type { RequestLike } from './http-context.js';
import { errorMiddleware, errorsHandler, isNotClientError } from './http.js';
import type { ExportedErrors } from './types.js';

// Compile-time: a Node request and an Express request are accepted as they are.
const nodeRequestFits = (request: IncomingMessage): RequestLike => request;
const expressRequestFits = (request: express.Request): RequestLike => request;
void nodeRequestFits;
void expressRequestFits;

async function listen(listener: RequestListener | express.Express): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(listener as RequestListener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('errorsHandler', () => {
  it('serves the export on plain node:http', async () => {
    const collector = new ErrorCollector();
    collector.report(new Error('boom'), { key: 'k' });
    const handler = errorsHandler(collector);
    const server = await listen((request: IncomingMessage, response: ServerResponse) => {
      if (request.url === '/errors') handler(request, response);
      else response.writeHead(404).end();
    });
    try {
      const response = await fetch(`${server.url}/errors`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      const body = await response.json();
      expect(body).toEqual(JSON.parse(JSON.stringify(collector.export())));
      expect(body).toMatchObject({ target_uuid: collector.targetUuid, aggregated_errors: [{ aggregation_key: 'k', total_count: 1 }] });

      const head = await fetch(`${server.url}/errors`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');

      const post = await fetch(`${server.url}/errors`, { method: 'POST' });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET, HEAD');
    } finally {
      await server.close();
    }
  });

  it('serves the export as an Express route, and the error middleware reports and passes on', async () => {
    const collector = new ErrorCollector();
    const app = express();
    app.use(express.json());
    app.get('/errors', errorsHandler(collector));
    app.post('/orders', () => {
      throw new RangeError('quantity out of range');
    });
    app.get('/missing', (_request, _response, next) => next(Object.assign(new Error('not found'), { status: 404 })));
    app.use(errorMiddleware(collector, { severity: 'warning' }));
    // The application's own error handler still runs after the middleware.
    app.use((error: Error, _request: express.Request, response: express.Response, _next: express.NextFunction) => {
      response.status((error as { status?: number }).status ?? 500).json({ handled: error.message });
    });
    const server = await listen(app);
    try {
      const failed = await fetch(`${server.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer secret' },
        body: JSON.stringify({ quantity: -1 }),
      });
      expect(failed.status).toBe(500);
      expect(await failed.json()).toEqual({ handled: 'quantity out of range' });
      const notFound = await fetch(`${server.url}/missing`);
      expect(notFound.status).toBe(404);

      const exported = (await (await fetch(`${server.url}/errors`)).json()) as ExportedErrors;
      expect(exported.aggregated_errors).toHaveLength(1);
      const [aggregate] = exported.aggregated_errors;
      expect(aggregate).toMatchObject({ total_count: 1, severity: 'warning' });
      expect(aggregate!.aggregation_key).toMatch(/^RangeError@[0-9a-f]{1,8}$/);
      expect(aggregate!.latest_errors[0]!.http_context).toMatchObject({
        request_method: 'POST',
        request_url: `${server.url}/orders`,
        request_body: '{"quantity":-1}',
      });
      expect(aggregate!.latest_errors[0]!.http_context!.request_headers['authorization']).toBe('[REDACTED]');
    } finally {
      await server.close();
    }
  });
});

describe('errorMiddleware', () => {
  it('has the four parameters Express recognises error handlers by', () => {
    expect(errorMiddleware(new ErrorCollector())).toHaveLength(4);
  });

  it('passes the error on even when the filter throws', () => {
    const collector = new ErrorCollector();
    const middleware = errorMiddleware(collector, {
      shouldReport: () => {
        throw new Error('bad filter');
      },
    });
    const passedOn: unknown[] = [];
    const error = new Error('x');
    middleware(error, { method: 'GET', url: '/', headers: {} }, {}, (next) => passedOn.push(next));
    expect(passedOn).toEqual([error]);
    expect(collector.export().aggregated_errors).toEqual([]);
  });

  it.each<[string, unknown, boolean]>([
    ['a plain error', new Error('x'), true],
    ['a thrown string', 'x', true],
    ['a 500', { status: 500 }, true],
    ['a 400 from a body parser', { status: 400, type: 'entity.parse.failed' }, false],
    ['a 413 as statusCode', { statusCode: 413 }, false],
  ])('by default reports %s: %s', (_case, error, reported) => {
    expect(isNotClientError(error)).toBe(reported);
  });
});
