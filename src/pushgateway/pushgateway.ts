import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_REDACT_HEADERS } from '../config/security-config.js';
import { parseScrapedPayload, PayloadError } from '../scraper/payload.js';
import { redactPayload } from '../security/index.js';
import { GatewayState } from './gateway-state.js';

// `periskop pushgateway`: a stand-in for periskop-pushgateway on plain node:http. Clients that
// cannot be scraped (batch jobs, lambdas) push their state to POST /errors; Periskop scrapes
// the aggregate on GET /-/errors like any target (scraper endpoint /-/errors).

/** Largest push accepted (413 beyond), as Periskop's own push endpoint and scraper. */
export const PUSHGATEWAY_BODY_LIMIT_BYTES = 16 * 2 ** 20;

export interface PushgatewayOptions {
  state?: GatewayState;
  bodyLimitBytes?: number;
}

type Route = { methods: readonly string[]; handle: (request: IncomingMessage, response: ServerResponse) => void };

/** The gateway's HTTP server, not yet listening. */
export function createPushgatewayServer(options: PushgatewayOptions = {}): Server {
  const state = options.state ?? new GatewayState({ targetUuid: randomUUID() });
  const bodyLimit = options.bodyLimitBytes ?? PUSHGATEWAY_BODY_LIMIT_BYTES;

  const exportErrors: Route = { methods: ['GET', 'HEAD'], handle: (request, response) => sendJson(request, response, 200, state.export()) };
  const routes: Record<string, Route> = {
    '/errors': {
      methods: ['POST'],
      handle: (request, response) => {
        readBody(request, bodyLimit, (body) => {
          if (body === null) {
            sendJson(request, response, 413, { message: `request body is larger than the limit of ${bodyLimit} bytes` });
            return;
          }
          let answer;
          try {
            answer = acceptPush(state, body);
          } catch (error) {
            process.stderr.write(`periskop pushgateway: POST /errors: ${(error as Error)?.stack ?? String(error)}\n`);
            answer = { status: 500, body: { message: 'internal error' } };
          }
          sendJson(request, response, answer.status, answer.body);
        });
      },
    },
    '/-/errors': exportErrors,
    '/-/errors/': exportErrors,
    '/-/health': { methods: ['GET', 'HEAD'], handle: (request, response) => sendText(request, response, 200, 'OK') },
  };

  return createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (route === undefined) {
      drain(request);
      sendJson(request, response, 404, { message: `not found: ${path} (routes: POST /errors, GET /-/errors, GET /-/health)` });
    } else if (!route.methods.includes(request.method ?? '')) {
      drain(request);
      response.setHeader('allow', route.methods.join(', '));
      sendJson(request, response, 405, { message: `method ${request.method} not allowed on ${path}: use ${route.methods.join(' or ')}` });
    } else {
      route.handle(request, response);
    }
  });
}

function acceptPush(state: GatewayState, body: Buffer): { status: number; body: unknown } {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return { status: 400, body: { message: `invalid JSON: ${(error as Error).message}` } };
  }
  let payload;
  try {
    // No configuration in this mode: the default secret headers never stay in memory or go out on /-/errors.
    payload = redactPayload(parseScrapedPayload(json), { headers: DEFAULT_REDACT_HEADERS, dropRequestBodies: false });
  } catch (error) {
    if (error instanceof PayloadError) return { status: 400, body: { message: error.message, field: error.path } };
    throw error;
  }
  const { target_uuid } = payload;
  if (!target_uuid) {
    return {
      status: 400,
      body: { message: 'target_uuid: required in pushed payloads (it tells the pushing instances apart)', field: 'target_uuid' },
    };
  }
  const accepted = state.accept({ ...payload, target_uuid });
  return { status: 200, body: { accepted: accepted.keys, counted: accepted.counted } };
}

/**
 * The whole body, or null past the limit. An oversized body is still read to its end (and
 * dropped) before the answer, so the client gets the 413 instead of a reset connection.
 */
function readBody(request: IncomingMessage, limit: number, done: (body: Buffer | null) => void): void {
  const declared = Number(request.headers['content-length']);
  let tooLarge = Number.isFinite(declared) && declared > limit;
  const chunks: Buffer[] = [];
  let size = 0;
  request.on('data', (chunk: Buffer) => {
    if (tooLarge) return;
    size += chunk.length;
    if (size > limit) {
      tooLarge = true;
      chunks.length = 0;
    } else {
      chunks.push(chunk);
    }
  });
  request.on('end', () => done(tooLarge ? null : Buffer.concat(chunks)));
  request.on('error', () => request.destroy());
}

function drain(request: IncomingMessage): void {
  request.resume();
}

function sendJson(request: IncomingMessage, response: ServerResponse, status: number, value: unknown): void {
  send(request, response, status, 'application/json', `${JSON.stringify(value)}\n`);
}

function sendText(request: IncomingMessage, response: ServerResponse, status: number, text: string): void {
  send(request, response, status, 'text/plain; charset=utf-8', text);
}

function send(request: IncomingMessage, response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/**
 * Runs the gateway on `port` (all interfaces) until SIGTERM or SIGINT. Resolves once listening
 * with the port actually bound.
 */
export async function runPushgateway(port: number): Promise<number> {
  const server = createPushgatewayServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: actualPort } = server.address() as AddressInfo;
  const stop = (): void => {
    server.close();
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`periskop pushgateway listening on http://localhost:${actualPort} (POST /errors, GET /-/errors)\n`);
  return actualPort;
}
