import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ErrorCollector } from './collector.js';
import { PushError, pushToGateway } from './push.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real local HTTP server standing in for a gateway: records requests, answers as told. */
class FakeGateway {
  received: Received[] = [];
  status = 200;
  answer = '';
  hang = false;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeGateway> {
    const server = createServer();
    const gateway = new FakeGateway(server);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        gateway.received.push({
          method: request.method!,
          url: request.url!,
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        if (gateway.hang) return;
        response.writeHead(gateway.status, { 'content-type': 'application/json' }).end(gateway.answer);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return gateway;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('pushToGateway', () => {
  let gateway: FakeGateway;
  let collector: ErrorCollector;

  beforeEach(async () => {
    gateway = await FakeGateway.start();
    collector = new ErrorCollector();
    collector.report(new Error('batch failed'), { key: 'batch' });
  });

  afterEach(async () => {
    await gateway.stop();
  });

  it('POSTs the export as JSON to <url>/errors, as periskop-go does', async () => {
    const result = await pushToGateway(collector, gateway.url);
    expect(result).toEqual({ url: `${gateway.url}/errors`, status: 200, body: '' });
    expect(gateway.received).toHaveLength(1);
    const [request] = gateway.received;
    expect(request).toMatchObject({ method: 'POST', url: '/errors' });
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['authorization']).toBeUndefined();
    expect(JSON.parse(request!.body)).toEqual(JSON.parse(JSON.stringify(collector.export())));
  });

  it("reaches Periskop's push endpoint of a service, with its token", async () => {
    await pushToGateway(collector, `${gateway.url}/push/batch%20jobs/`, { token: 's3cret', headers: { 'x-team': 'data' } });
    expect(gateway.received[0]!.url).toBe('/push/batch%20jobs/errors');
    expect(gateway.received[0]!.headers['authorization']).toBe('Bearer s3cret');
    expect(gateway.received[0]!.headers['x-team']).toBe('data');
  });

  it('throws on a non-2xx answer, naming the URL, the status and the reason', async () => {
    gateway.status = 400;
    gateway.answer = JSON.stringify({ message: 'aggregated_errors[0].total_count: expected a non-negative integer' });
    const push = pushToGateway(collector, gateway.url);
    await expect(push).rejects.toThrow(PushError);
    const error = (await push.catch((caught: unknown) => caught)) as PushError;
    expect(error.message).toBe(
      `periskop push to ${gateway.url}/errors failed: HTTP 400 Bad Request: ` +
        '{"message":"aggregated_errors[0].total_count: expected a non-negative integer"}',
    );
    expect(error).toMatchObject({ status: 400, url: `${gateway.url}/errors` });
  });

  it('throws when nothing answers', async () => {
    const { url } = gateway;
    await gateway.stop();
    gateway = await FakeGateway.start(); // afterEach stops this one
    await expect(pushToGateway(collector, url)).rejects.toThrow(
      new RegExp(`^periskop push to ${url}/errors failed: .*ECONNREFUSED`),
    );
  });

  it('gives up after the timeout', async () => {
    gateway.hang = true;
    await expect(pushToGateway(collector, gateway.url, { timeoutMs: 200 })).rejects.toThrow(
      `periskop push to ${gateway.url}/errors failed: no answer within 200 ms`,
    );
  });
});
