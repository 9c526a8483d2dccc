import type { ErrorCollector } from './collector.js';

export const DEFAULT_PUSH_TIMEOUT_MS = 10_000;

/** How much of a refusing answer's body goes into the error message. */
const MAX_QUOTED_BODY = 500;

export interface PushOptions {
  /** Sent as `Authorization: Bearer <token>` (Periskop's per-service push token). */
  token?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Gives up after this long; 10 s by default. */
  timeoutMs?: number;
}

export interface PushResult {
  /** Where the export went: `<url>/errors`. */
  url: string;
  status: number;
  /** The answer's body, as text. */
  body: string;
}

/** A push that did not get a 2xx answer, or no answer at all. */
export class PushError extends Error {
  override readonly name = 'PushError';

  constructor(
    message: string,
    readonly url: string,
    /** The HTTP status; undefined when no answer arrived. */
    readonly status?: number,
    readonly body?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * POSTs the collector's whole state as JSON to `<url>/errors`, as periskop-go's PushToGateway
 * does: `url` is a periskop-pushgateway (`http://gateway:7878`) or Periskop's own push endpoint
 * for a service (`http://periskop:8080/push/<service>`). Pushing the same cumulative state again
 * is harmless. Resolves on a 2xx answer; throws a PushError naming the URL and the status or
 * network failure otherwise.
 */
export async function pushToGateway(collector: ErrorCollector, url: string, options: PushOptions = {}): Promise<PushResult> {
  const target = `${url.replace(/\/+$/, '')}/errors`;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_PUSH_TIMEOUT_MS;

  let response: Response;
  let body: string;
  try {
    response = await fetch(target, {
      method: 'POST',
      headers,
      body: JSON.stringify(collector.export()),
      signal: AbortSignal.timeout(timeoutMs),
    });
    body = await response.text();
  } catch (error) {
    throw new PushError(`periskop push to ${target} failed: ${failureReason(error, timeoutMs)}`, target, undefined, undefined, {
      cause: error,
    });
  }
  if (!response.ok) {
    const quoted = body.length > MAX_QUOTED_BODY ? `${body.slice(0, MAX_QUOTED_BODY)}…` : body;
    const statusText = response.statusText ? ` ${response.statusText}` : '';
    throw new PushError(
      `periskop push to ${target} failed: HTTP ${response.status}${statusText}${quoted.trim() ? `: ${quoted.trim()}` : ''}`,
      target,
      response.status,
      body,
    );
  }
  return { url: target, status: response.status, body };
}

// fetch reports every network failure as "fetch failed" and keeps the reason in `cause`.
function failureReason(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: unknown })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: unknown })?.cause;
  const causeMessage = (cause as { message?: unknown } | undefined)?.message;
  if (typeof causeMessage === 'string' && causeMessage !== '') return causeMessage;
  return error instanceof Error ? error.message : String(error);
}
