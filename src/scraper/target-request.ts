import { PERISKOP_VERSION } from '../version.js';
import type { AnswerHead } from './answer-head.js';
import { MAX_POOLED_BYTES, type BodyBuffers } from './body-buffers.js';
import { KeptConnections } from './kept-connections.js';
import { abortedBy, TargetConnection, TargetRequestFailed, type TargetOrigin } from './target-connection.js';

// The scraper's HTTP GET, on an HTTP/1.1 client of its own (target-connection.ts) rather than
// node:http or fetch(): a round of a thousand 1 MB answers went through undici's web streams
// chunk by chunk (a promise and a copy per chunk), and node:http made a fresh buffer of every
// socket read. Here the bytes go from one shared read buffer straight into the body buffer.

const USER_AGENT = `Periskop/${PERISKOP_VERSION}`;

/** Connections to targets stay open between scrapes, as Prometheus keeps them. */
const KEPT = new KeptConnections();

/** An answer whose head is in; its body is still to be read (readBody) or dropped (discard). */
export interface TargetAnswer extends AnswerHead {
  readonly connection: TargetConnection;
}

/** GET `url`; resolves with the answer once its headers are in (its body not read yet). */
export async function getTarget(url: URL, signal: AbortSignal): Promise<TargetAnswer> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TargetRequestFailed(`unsupported scheme ${url.protocol} in ${url.href}`, 'EPROTO', false);
  if (signal.aborted) throw abortedBy(signal);
  const origin = originOf(url);
  const kept = KEPT.take(origin.key);
  try {
    return await ask(kept ?? new TargetConnection(origin, KEPT), url, signal);
  } catch (error) {
    // A kept connection its target closed just as it was reused: a GET may be sent again, on a new one.
    if (kept && error instanceof TargetRequestFailed && error.unanswered && !signal.aborted) return ask(new TargetConnection(origin, KEPT), url, signal);
    throw error;
  }
}

async function ask(connection: TargetConnection, url: URL, signal: AbortSignal): Promise<TargetAnswer> {
  const head = await connection.request(`${url.pathname}${url.search}`, url.host, USER_AGENT, signal);
  return { ...head, connection };
}

/**
 * The answer's body, whole; rejects past `limit` bytes (with BodyTooLarge), or when `signal`
 * aborts. With `buffers`, the body is read into a buffer of theirs (`pooled`, to be handed
 * back once used), swapped for a larger one as it grows; past what they keep, into parts.
 */
export async function readBody(answer: TargetAnswer, limit: number, signal: AbortSignal, buffers?: BodyBuffers): Promise<{ body: Buffer; pooled: Buffer | null }> {
  const declared = answer.connection.declaredLength;
  let pooled = buffers ? buffers.take(declared !== null && declared <= limit ? declared : 0) : null;
  const parts: Buffer[] = [];
  let bytes = 0;
  const sink = (chunk: Buffer, start: number, end: number) => {
    const at = bytes;
    bytes += end - start;
    if (bytes > limit) throw new BodyTooLarge(bytes);
    if (pooled && bytes > pooled.byteLength) {
      const larger = bytes <= MAX_POOLED_BYTES ? buffers!.take(Math.max(bytes, 2 * pooled.byteLength)) : null;
      if (larger) pooled.copy(larger, 0, 0, at);
      else parts.push(Buffer.from(pooled.subarray(0, at)));
      buffers!.give(pooled);
      pooled = larger;
    }
    // The chunk is the connection's read buffer: its bytes are copied before the next read.
    if (pooled) chunk.copy(pooled, at, start, end);
    else parts.push(Buffer.from(chunk.subarray(start, end)));
  };
  try {
    await answer.connection.readBody(sink, signal);
  } catch (error) {
    if (pooled) buffers!.give(pooled);
    throw error;
  }
  if (pooled) return { body: pooled.subarray(0, bytes), pooled };
  return { body: parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes), pooled: null };
}

/** Drops an answer's body unread, and its connection with it (the body might be endless). */
export function discard(answer: TargetAnswer): void {
  answer.connection.destroy();
}

export class BodyTooLarge extends Error {
  constructor(readonly bytes: number) {
    super(`body of at least ${bytes} bytes`);
  }
}

function originOf(url: URL): TargetOrigin {
  const secure = url.protocol === 'https:';
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { secure, host, port, key: `${url.protocol}//${url.hostname}:${port}` };
}
