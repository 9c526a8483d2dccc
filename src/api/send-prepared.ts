import type { Request, Response } from 'express';
import { acceptsGzip, noneMatchHits } from './conditional-request.js';
import type { PreparedBody } from './prepared-body.js';

/**
 * Sends a prepared JSON body straight to the socket, past Express's send (which would hash it
 * for an ETag and copy it): 304 when the client already holds it, gzip when the client asks for
 * it, otherwise the exact bytes (what Go clients, which never ask for gzip, always get).
 */
export async function sendPrepared(request: Request, response: Response, body: PreparedBody): Promise<void> {
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.setHeader('Vary', 'Accept-Encoding');
  const gzip = acceptsGzip(request.headers['accept-encoding']);
  const etag = gzip ? body.gzipEtag : body.etag;
  response.setHeader('ETag', etag);
  if (noneMatchHits(request.headers['if-none-match'], [body.etag, body.gzipEtag])) {
    response.statusCode = 304;
    response.end();
    return;
  }
  response.statusCode = 200;
  const bytes = gzip ? await body.gzip() : body.bytes;
  if (gzip) response.setHeader('Content-Encoding', 'gzip');
  response.setHeader('Content-Length', bytes.length);
  response.end(bytes);
}
