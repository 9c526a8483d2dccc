import type { HttpContext } from './types.js';

export const REDACTED = '[REDACTED]';

/** Headers whose values are credentials: recorded by name only. */
export const SECRET_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'cookie',
  'set-cookie',
  'proxy-authorization',
  'x-api-key',
]);

/** Longer request bodies are cut: an occurrence is a diagnosis, not an archive. */
export const MAX_REQUEST_BODY_LENGTH = 64 * 1024;

const TRUNCATED = '…[truncated]';

export type HeaderValue = string | readonly string[] | number | undefined;

/** The request an error happened in, as the caller knows it. */
export interface ReportedHttpContext {
  method: string;
  url: string;
  /** Node's IncomingHttpHeaders fits: multi-value headers are joined with ", ". */
  headers: Readonly<Record<string, HeaderValue>>;
  body?: string | null;
}

/**
 * What the collector reads from a Node IncomingMessage or an Express request: the method, the
 * URL (Express' `originalUrl` when the router rewrote `url`), the headers, and `body` when a
 * body parser already filled it in (the stream is never read).
 */
export interface RequestLike {
  method?: string | undefined;
  url?: string | undefined;
  originalUrl?: string | undefined;
  headers: Readonly<Record<string, HeaderValue>>;
  body?: unknown;
  /** Express' `req.protocol` (honours "trust proxy"). */
  protocol?: string | undefined;
  /** A TLS socket has `encrypted: true`. */
  socket?: unknown;
}

/** The HTTP context of a request, with secret headers redacted. */
export function httpContextOfRequest(request: RequestLike): HttpContext {
  return redactedHttpContext({
    method: request.method ?? '',
    url: fullUrlOf(request),
    headers: request.headers,
    body: bodyText(request.body),
  });
}

export function redactedHttpContext(context: ReportedHttpContext): HttpContext {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(context.headers)) {
    if (value === undefined || name === '__proto__') continue;
    headers[name] = SECRET_HEADERS.has(name.toLowerCase()) ? REDACTED : headerText(value);
  }
  return {
    request_method: context.method,
    request_url: context.url,
    request_headers: headers,
    request_body: context.body === undefined || context.body === null ? null : truncated(context.body),
  };
}

function headerText(value: string | readonly string[] | number): string {
  return typeof value === 'object' ? value.join(', ') : String(value);
}

// periskop-go records r.URL.String(); behind a Node server that is only the path, so the
// scheme and Host header are added when the request carries them.
function fullUrlOf(request: RequestLike): string {
  const path = request.originalUrl || request.url || '';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return path; // a proxy request's absolute URL
  const host = firstHeader(request.headers['host']) ?? firstHeader(request.headers[':authority']);
  if (host === undefined) return path;
  const encrypted = (request.socket as { encrypted?: unknown } | null | undefined)?.encrypted === true;
  const protocol = request.protocol || (encrypted ? 'https' : 'http');
  return `${protocol}://${host}${path}`;
}

function firstHeader(value: HeaderValue): string | undefined {
  const text = typeof value === 'object' ? value[0] : value === undefined ? undefined : String(value);
  return text === undefined || text === '' ? undefined : text;
}

// A body parser leaves a string (text), an object (JSON, urlencoded) or a Buffer (raw); without
// one `body` is undefined. Streams and other exotic values are left out.
function bodyText(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body.subarray(0, MAX_REQUEST_BODY_LENGTH * 4));
  if (typeof body === 'object') {
    if (typeof (body as { pipe?: unknown }).pipe === 'function') return null;
    try {
      return JSON.stringify(body) ?? null;
    } catch {
      return null;
    }
  }
  if (typeof body === 'number' || typeof body === 'boolean') return String(body);
  return null;
}

function truncated(body: string): string {
  return body.length > MAX_REQUEST_BODY_LENGTH ? body.slice(0, MAX_REQUEST_BODY_LENGTH) + TRUNCATED : body;
}
