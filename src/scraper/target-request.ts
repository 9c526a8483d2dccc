import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { PERISKOP_VERSION } from '../version.js';
import { MAX_POOLED_BYTES, type BodyBuffers } from './body-buffers.js';

// The scraper's HTTP GET, on node:http rather than fetch(): a round of a thousand 1 MB answers
// went through undici's web streams chunk by chunk (a promise and a copy per chunk); node:http
// hands over its socket's buffers as they come.

/** Connections to targets stay open between scrapes, as Prometheus keeps them. */
const AGENTS = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) } as const;

/** A request that failed before its answer's headers came: a connection error, or `signal`'s abort. */
export class TargetRequestFailed extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly aborted: boolean,
  ) {
    super(message);
  }
}

/** GET `url`; resolves with the answer once its headers are in (its body streams). */
export function getTarget(url: URL, signal: AbortSignal): Promise<IncomingMessage> {
  const protocol = url.protocol === 'https:' ? 'https:' : 'http:';
  if (url.protocol !== protocol) return Promise.reject(new TargetRequestFailed(`unsupported scheme ${url.protocol} in ${url.href}`, 'EPROTO', false));
  if (signal.aborted) return Promise.reject(abortedBy(signal));
  return new Promise((resolve, reject) => {
    const request = (protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: 'GET',
      agent: AGENTS[protocol],
      headers: { Accept: 'application/json', 'User-Agent': `Periskop/${PERISKOP_VERSION}` },
    });
    const abort = () => {
      request.destroy();
      reject(abortedBy(signal));
    };
    signal.addEventListener('abort', abort, { once: true });
    request.on('response', (response) => {
      signal.removeEventListener('abort', abort);
      resolve(response);
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', abort);
      reject(signal.aborted ? abortedBy(signal) : new TargetRequestFailed(error.message, error.code, false));
    });
    request.end();
  });
}

/**
 * The answer's body, whole; rejects past `limit` bytes (with BodyTooLarge), or when `signal`
 * aborts. With `buffers`, the body is read into a buffer of theirs (`pooled`, to be handed
 * back once used), swapped for a larger one as it grows; past what they keep, into parts.
 */
export function readBody(response: IncomingMessage, limit: number, signal: AbortSignal, buffers?: BodyBuffers): Promise<{ body: Buffer; pooled: Buffer | null }> {
  const declared = Number(response.headers['content-length']);
  let pooled = buffers ? buffers.take(Number.isSafeInteger(declared) && declared <= limit ? declared : 0) : null;
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let bytes = 0;
    let finished = false;
    const finish = (error: Error | null) => {
      if (finished) return;
      finished = true;
      signal.removeEventListener('abort', abort);
      response.off('data', onData);
      if (error) {
        response.destroy();
        if (pooled) buffers!.give(pooled);
        reject(error);
      } else if (pooled) resolve({ body: pooled.subarray(0, bytes), pooled });
      else resolve({ body: parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes), pooled: null });
    };
    const abort = () => finish(abortedBy(signal));
    const onData = (chunk: Buffer) => {
      const at = bytes;
      bytes += chunk.byteLength;
      if (bytes > limit) return finish(new BodyTooLarge(bytes));
      if (pooled && bytes > pooled.byteLength) {
        const larger = bytes <= MAX_POOLED_BYTES ? buffers!.take(Math.max(bytes, 2 * pooled.byteLength)) : null;
        if (larger) pooled.copy(larger, 0, 0, at);
        else parts.push(Buffer.from(pooled.subarray(0, at)));
        buffers!.give(pooled);
        pooled = larger;
      }
      if (pooled) chunk.copy(pooled, at);
      else parts.push(chunk);
    };
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    response.on('data', onData);
    response.once('end', () => finish(null));
    // A connection closed before the body's end.
    response.once('aborted', () => finish(new TargetRequestFailed('the target closed the connection before the end of its answer', 'ECONNRESET', false)));
    response.once('error', (error: NodeJS.ErrnoException) => finish(new TargetRequestFailed(error.message, error.code, false)));
  });
}

/** Drops an answer's body unread, and its connection with it (the body might be endless). */
export function discard(response: IncomingMessage): void {
  response.destroy();
}

export class BodyTooLarge extends Error {
  constructor(readonly bytes: number) {
    super(`body of at least ${bytes} bytes`);
  }
}

function abortedBy(signal: AbortSignal): TargetRequestFailed {
  const reason = signal.reason as Error | undefined;
  return new TargetRequestFailed(reason?.message ?? 'aborted', undefined, true);
}
