import type { IncomingMessage, ServerResponse } from 'node:http';

import type { ErrorCollector } from './collector.js';
import type { RequestLike } from './http-context.js';
import type { Severity } from './types.js';

/**
 * A request handler answering `GET /errors` (and HEAD) with the collector's errors in the
 * scraped format, for plain node:http (`createServer`) as well as Express (`app.get`). It answers
 * whatever path it is given: route to it.
 */
export function errorsHandler(collector: ErrorCollector): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      response.end('method not allowed: use GET\n');
      return;
    }
    const body = JSON.stringify(collector.export());
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  };
}

export interface ErrorMiddlewareOptions {
  /** Severity of the reported occurrences; `error` by default. */
  severity?: Severity;
  /**
   * Which errors to report. By default every error except client errors: those carrying an HTTP
   * `status`/`statusCode` from 400 to 499 (body-parser's 400 and 413, http-errors' NotFound).
   */
  shouldReport?: (error: unknown) => boolean;
}

/**
 * An Express error-handling middleware (four parameters, so Express recognises it): reports the
 * error with the request as its HTTP context, then passes it on to the next error handler.
 */
export function errorMiddleware(
  collector: ErrorCollector,
  options: ErrorMiddlewareOptions = {},
): (error: unknown, request: RequestLike, response: unknown, next: (error?: unknown) => void) => void {
  const shouldReport = options.shouldReport ?? isNotClientError;
  return function periskopErrorMiddleware(error, request, _response, next) {
    try {
      if (shouldReport(error)) {
        collector.report(error, { request, ...(options.severity === undefined ? {} : { severity: options.severity }) });
      }
    } catch {
      // Reporting must never take the place of the application's own error handling.
    }
    next(error);
  };
}

export function isNotClientError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  return !(typeof code === 'number' && code >= 400 && code < 500);
}
