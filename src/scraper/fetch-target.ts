import type { ScrapeFailureReason } from '../events/events.js';
import type { ConcurrencyLimit } from '../concurrency/concurrency-limit.js';
import type { BodyBuffers } from './body-buffers.js';
import { inspectBody, type BodyOutcome, type KnownBody } from './inspect-body.js';
import { TargetRequestFailed } from './target-connection.js';
import { BodyTooLarge, discard, getTarget, readBody, type TargetAnswer } from './target-request.js';

export type { KnownBody };

export interface FetchLimits {
  timeoutMs: number;
  bodyLimitBytes: number;
  /** Aborts the scrape early (shutdown). */
  cancel?: AbortSignal;
  /**
   * Bounds the bodies in memory at once: a body is read, decoded and parsed within one of its
   * slots, so a round of a thousand 1 MB answers holds a few of them, not every one whose
   * headers are in. Waiting for a slot does not count against timeoutMs: the target's timeout
   * starts again when its read starts, so a target that trickles its answer holds a slot, and
   * up another target, no longer than its own timeout.
   */
  bodyReads?: ConcurrencyLimit;
  /** Buffers to read bodies into, reused (as many as bodyReads lets read at once). */
  bodyBuffers?: BodyBuffers;
}

/** `payload` is null when the body is byte for byte `known.digest`'s (see BodyOutcome). */
export type FetchOutcome = BodyOutcome | { ok: false; reason: ScrapeFailureReason; detail: string };

/** As many as browsers and Go's http.Client allow before calling it a loop. */
export const MAX_REDIRECTS = 10;

/** A redirect the scraper refuses to follow: to another origin, or one too many. */
class RedirectRefused extends Error {}

/**
 * GETs one target's /errors and validates it. Every failure comes back as a reason, never
 * as a throw: one broken target must cost only its own scrape.
 */
export async function fetchTarget(url: string, limits: FetchLimits, known: KnownBody = {}): Promise<FetchOutcome> {
  const deadline = new ScrapeDeadline(limits.timeoutMs);
  const cancel = () => deadline.controller.abort(limits.cancel?.reason);
  if (limits.cancel?.aborted) cancel();
  limits.cancel?.addEventListener('abort', cancel, { once: true });
  try {
    return await fetchWithin(url, deadline, limits, known);
  } finally {
    deadline.stop();
    limits.cancel?.removeEventListener('abort', cancel);
  }
}

/**
 * The target's time to answer: once for its headers, once more for its body from when its
 * read starts (waiting for a body slot and parsing are Periskop's time). A
 * timer and a controller of our own rather than AbortSignal.timeout(): Node holds that signal
 * weakly, and one left unreferenced while its scrape waited was collected, its timeout never
 * firing. The running timer holds the controller.
 */
class ScrapeDeadline {
  readonly controller = new AbortController();
  private timer: NodeJS.Timeout;

  constructor(private readonly timeoutMs: number) {
    this.timer = this.started();
  }

  /** The whole timeout again, from now. */
  restart(): void {
    clearTimeout(this.timer);
    this.timer = this.started();
  }

  private started(): NodeJS.Timeout {
    return setTimeout(() => this.controller.abort(new DOMException('scrape timed out', 'TimeoutError')), this.timeoutMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

async function fetchWithin(url: string, deadline: ScrapeDeadline, limits: FetchLimits, known: KnownBody): Promise<FetchOutcome> {
  let response: TargetAnswer;
  try {
    response = await getWithinOrigin(url, deadline.signal);
    const status = response.status;
    if (status < 200 || status > 299) {
      discard(response);
      return { ok: false, reason: 'http_status', detail: `HTTP ${status} ${response.statusText}`.trim() };
    }
    const declared = response.connection.declaredLength ?? 0;
    if (declared > limits.bodyLimitBytes) {
      discard(response);
      return tooLarge(limits, declared);
    }
  } catch (error) {
    return classify(error, limits);
  }
  // The headers are in; the wait for a body slot is Periskop's time, not the target's.
  deadline.stop();
  const readAndInspect = async (): Promise<FetchOutcome> => {
    deadline.restart();
    let read: { body: Buffer; pooled: Buffer | null };
    try {
      read = await readBody(response, limits.bodyLimitBytes, deadline.signal, limits.bodyBuffers);
    } catch (error) {
      return classify(error, limits);
    }
    // The body is in: what follows is Periskop's time, not the target's.
    deadline.stop();
    try {
      // Synchronous, and what it returns holds no part of the body: the buffer can go back.
      return inspectBody(read.body, known);
    } finally {
      if (read.pooled) limits.bodyBuffers!.give(read.pooled);
    }
  };
  return limits.bodyReads ? limits.bodyReads.run(readAndInspect) : readAndInspect();
}

/**
 * Follows redirects only within the target's origin (scheme, host and port): a target cannot
 * send the scraper to fetch anything but itself (an internal address, a metadata endpoint).
 */
async function getWithinOrigin(url: string, signal: AbortSignal): Promise<TargetAnswer> {
  const origin = new URL(url).origin;
  let current = new URL(url);
  for (let hops = 0; ; hops++) {
    const response = await getTarget(current, signal);
    const status = response.status;
    const location = response.headers.get('location');
    if (status < 300 || status > 399 || location === undefined) return response;
    discard(response);
    if (hops === MAX_REDIRECTS) throw new RedirectRefused(`redirect loop: more than ${MAX_REDIRECTS} redirects from ${url}`);
    const next = new URL(location, current);
    if (next.origin !== origin) {
      throw new RedirectRefused(`HTTP ${status} redirect to ${next.origin} not followed: scrapes stay on the target's origin ${origin}`);
    }
    current = next;
  }
}

function tooLarge(limits: FetchLimits, bytes: number): FetchOutcome {
  return { ok: false, reason: 'too_large', detail: `body exceeds the limit of ${limits.bodyLimitBytes} bytes (${bytes} bytes read)` };
}

function classify(error: unknown, limits: FetchLimits): FetchOutcome {
  if (error instanceof BodyTooLarge) return tooLarge(limits, error.bytes);
  if (error instanceof RedirectRefused) return { ok: false, reason: 'http_status', detail: error.message };
  // Anything else (a redirect to a location that is no URL): the target's failure all the same.
  if (!(error instanceof TargetRequestFailed)) return { ok: false, reason: 'connect', detail: (error as Error).message };
  if (error.aborted) return { ok: false, reason: 'timeout', detail: `no complete answer within ${limits.timeoutMs} ms` };
  if (error.code === 'ECONNREFUSED') return { ok: false, reason: 'refused', detail: error.message };
  return { ok: false, reason: 'connect', detail: [error.code, error.message].filter(Boolean).join(': ') };
}
