import type { ScrapeFailureReason } from '../events/events.js';
import { parseScrapedPayload, PayloadError } from './payload.js';
import type { ScrapedPayload } from './payload.types.js';

export interface FetchLimits {
  timeoutMs: number;
  bodyLimitBytes: number;
  /** Aborts the scrape early (shutdown). */
  cancel?: AbortSignal;
}

export type FetchOutcome =
  | { ok: true; payload: ScrapedPayload; bytes: number }
  | { ok: false; reason: ScrapeFailureReason; detail: string };

class BodyTooLarge extends Error {}

/** As many as browsers and Go's http.Client allow before calling it a loop. */
export const MAX_REDIRECTS = 10;

/** A redirect the scraper refuses to follow: to another origin, or one too many. */
class RedirectRefused extends Error {}

/**
 * GETs one target's /errors and validates it. Every failure comes back as a reason, never
 * as a throw: one broken target must cost only its own scrape.
 */
export async function fetchTarget(url: string, limits: FetchLimits): Promise<FetchOutcome> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = limits.cancel ? AbortSignal.any([timeout, limits.cancel]) : timeout;
  let text: string;
  let bytes: number;
  try {
    const response = await fetchWithinOrigin(url, signal);
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return { ok: false, reason: 'http_status', detail: `HTTP ${response.status} ${response.statusText}`.trim() };
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > limits.bodyLimitBytes) {
      await response.body?.cancel().catch(() => undefined);
      return tooLarge(limits, declared);
    }
    ({ text, bytes } = await readLimited(response, limits.bodyLimitBytes));
  } catch (error) {
    return classify(error, limits);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: 'invalid_json', detail: (error as Error).message };
  }
  try {
    return { ok: true, payload: parseScrapedPayload(json), bytes };
  } catch (error) {
    if (error instanceof PayloadError) return { ok: false, reason: 'invalid_shape', detail: error.message };
    throw error;
  }
}

/**
 * Follows redirects only within the target's origin (scheme, host and port): a target cannot
 * send the scraper to fetch anything but itself (an internal address, a metadata endpoint).
 */
async function fetchWithinOrigin(url: string, signal: AbortSignal): Promise<Response> {
  const origin = new URL(url).origin;
  let current = url;
  for (let hops = 0; ; hops++) {
    const response = await fetch(current, { signal, headers: { accept: 'application/json' }, redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || location === null) return response;
    await response.body?.cancel().catch(() => undefined);
    if (hops === MAX_REDIRECTS) throw new RedirectRefused(`redirect loop: more than ${MAX_REDIRECTS} redirects from ${url}`);
    const next = new URL(location, current);
    if (next.origin !== origin) {
      throw new RedirectRefused(`HTTP ${response.status} redirect to ${next.origin} not followed: scrapes stay on the target's origin ${origin}`);
    }
    current = next.href;
  }
}

async function readLimited(response: Response, limit: number): Promise<{ text: string; bytes: number }> {
  if (!response.body) return { text: '', bytes: 0 };
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > limit) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLarge(String(bytes));
    }
    parts.push(value);
  }
  return { text: Buffer.concat(parts).toString('utf8'), bytes };
}

function tooLarge(limits: FetchLimits, bytes: number): FetchOutcome {
  return { ok: false, reason: 'too_large', detail: `body exceeds the limit of ${limits.bodyLimitBytes} bytes (${bytes} bytes read)` };
}

function classify(error: unknown, limits: FetchLimits): FetchOutcome {
  if (error instanceof BodyTooLarge) return tooLarge(limits, Number(error.message));
  if (error instanceof RedirectRefused) return { ok: false, reason: 'http_status', detail: error.message };
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') {
    return { ok: false, reason: 'timeout', detail: `no complete answer within ${limits.timeoutMs} ms` };
  }
  const code = e.cause?.code;
  if (code === 'ECONNREFUSED') return { ok: false, reason: 'refused', detail: e.cause?.message ?? 'connection refused' };
  return { ok: false, reason: 'connect', detail: [code, e.cause?.message ?? e.message].filter(Boolean).join(': ') };
}
