import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { HttpSecurityConfig } from '../config/config.types.js';

type Limits = HttpSecurityConfig['limits'];

/** Refusals carry the same JSON as Nest's HTTP errors, so clients and the UI read one shape. */
export function refuse(response: Response, status: number, message: string): void {
  response.status(status).json({ statusCode: status, message });
}

/** 414 for a request target (path and query) longer than `server.limits.url_bytes`. */
export function urlLengthLimit(limits: Limits): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const bytes = Buffer.byteLength(request.originalUrl);
    if (bytes <= limits.urlBytes) return next();
    refuse(response, 414, `the request URL is ${bytes} bytes long; the limit is ${limits.urlBytes} bytes (server.limits.url_bytes)`);
  };
}

/**
 * JSON bodies, parsed as a stream that stops at the limit (nothing beyond it is buffered):
 * pushes up to `push_body_bytes`, any other route up to `json_body_bytes`. 413 names the limit.
 */
export function jsonBodyParsers(limits: Limits): RequestHandler[] {
  return [
    bounded(express.json({ limit: limits.pushBodyBytes }), limits.pushBodyBytes, 'server.limits.push_body_bytes', (path) => path.startsWith('/push/')),
    bounded(express.json({ limit: limits.jsonBodyBytes }), limits.jsonBodyBytes, 'server.limits.json_body_bytes', () => true),
  ];
}

function bounded(parse: RequestHandler, limit: number, key: string, applies: (path: string) => boolean): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    // The first parser that applies reads the body; body-parser skips a body already read.
    if (!applies(request.path)) return next();
    void parse(request, response, (error?: unknown) => {
      if ((error as { type?: string } | undefined)?.type === 'entity.too.large') {
        // The rest of the body is not read: the connection closes after the answer.
        response.setHeader('Connection', 'close');
        return refuse(response, 413, `the request body is larger than the limit of ${limit} bytes (${key})`);
      }
      next(error);
    });
  };
}

/**
 * 431 for request heads (request line and headers) over `server.limits.header_bytes`. Node's
 * parser enforces the size while reading, so an oversized head is never buffered whole.
 */
export function limitRequestHeads(server: Server, limits: Limits): void {
  // Read per connection by Node's HTTP server (storeHTTPOptions keeps the constructor option here).
  (server as Server & { maxHeaderSize: number }).maxHeaderSize = limits.headerBytes;
  // Replaces Node's default answer (a bare status line) with the same statuses plus a message.
  server.on('clientError', (error: Error & { code?: string }, socket: Socket & { _httpMessage?: { headersSent?: boolean } }) => {
    if (error.code === 'ECONNRESET' || !socket.writable || socket._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, message] = clientErrorAnswer(error.code, limits);
    const body = JSON.stringify({ statusCode: Number(status.slice(0, 3)), message });
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}

function clientErrorAnswer(code: string | undefined, limits: Limits): [status: string, message: string] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return ['431 Request Header Fields Too Large', `the request headers are larger than the limit of ${limits.headerBytes} bytes (server.limits.header_bytes)`];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return ['408 Request Timeout', 'the request did not arrive in time'];
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return ['413 Payload Too Large', 'the chunk extensions of the request body are too large'];
    default:
      return ['400 Bad Request', `the request is not valid HTTP (${code ?? 'unreadable'})`];
  }
}
