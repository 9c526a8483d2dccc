import { connect as connectTcp, isIP, type OnReadOpts, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { bodyFramingOf, headEnd, keepAliveOf, MAX_HEAD_BYTES, parseAnswerHead, type AnswerHead, type BodyFraming } from './answer-head.js';
import { ChunkedBody } from './chunked-body.js';
import { HeldBytes } from './held-bytes.js';
import { MalformedAnswer } from './malformed-answer.js';

// One HTTP/1.1 connection to a target, for GET requests one after another (no pipelining).
// node:http handed each socket read to JavaScript as a fresh buffer (~64 KB; a scrape round of
// a thousand 1 MB answers made ~16,000 of them), garbage as soon as its bytes were copied into a
// body buffer, yet freed only when a collection found it dead: tens of MB of external memory
// between collections. Here every connection reads into one shared buffer (net.Socket's
// `onread`): a read's bytes are consumed before the next read, on this one thread, so no
// connection needs a buffer of its own. What cannot be consumed yet (the start of a body that
// waits for its read slot) is copied aside, and the connection stops reading meanwhile.
// What this did to the server's memory and cycle time: bench/README.md, "Memory, sixth pass".
//
// A head is read into a small buffer of its own, a body into the large one. An answer whose
// body waits for a slot holds what its head's read brought (≤ 4 KiB), not a large read's
// worth: at a thousand targets some fifty answers wait at once (bench/README.md, "Memory,
// eleventh pass").

const READ_BUFFER = Buffer.allocUnsafeSlow(64 * 1024);
const HEAD_READ_BUFFER = Buffer.allocUnsafeSlow(4 * 1024);

/** A request that failed before its answer was read: a connection error, a malformed answer, or `signal`'s abort. */
export class TargetRequestFailed extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly aborted: boolean,
    /** The connection closed before any byte of the answer came: a GET that may be sent again. */
    readonly unanswered = false,
  ) {
    super(message);
  }
}

export interface TargetOrigin {
  secure: boolean;
  /** A name or an address (an IPv6 one without its brackets). */
  host: string;
  port: number;
  /** scheme://host:port */
  key: string;
}

/** Where a connection goes when its answer has been read and it may carry another request. */
export interface ConnectionKeeper {
  keep(connection: TargetConnection): void;
  forget(connection: TargetConnection): void;
}

/** Receives a body's bytes, `bytes[start, end)`, valid only during the call. Throwing stops the read. */
export type BodySink = (bytes: Buffer, start: number, end: number) => void;

type Phase =
  | 'idle' // no request on it
  | 'head' // request sent, the answer's head coming
  | 'held' // head in; the body's read has not started: not reading, bytes held
  | 'body' // the body is read into a sink
  | 'done' // the body is in; the connection is kept or closed once the current bytes are consumed
  | 'closed';

interface Waiter {
  resolve(value: AnswerHead | undefined): void;
  reject(error: Error): void;
  signal: AbortSignal;
  abort(): void;
}

export class TargetConnection {
  private readonly socket: Socket;
  private phase: Phase = 'idle';
  private waiter: Waiter | null = null;
  /** A head that spans reads, copied here as it comes. */
  private partialHead: Buffer | null = null;
  private partialHeadBytes = 0;
  private framing: BodyFraming = { kind: 'none' };
  private lengthLeft = 0;
  private chunked: ChunkedBody | null = null;
  private reusable = false;
  private idleMs: number | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly held = new HeldBytes();
  private sink: BodySink | null = null;
  /** Bytes received since the current request was sent. */
  private received = 0;
  /** The socket closed while its answer was held; error is its error, if any. */
  private closedWhileHeld: { error: NodeJS.ErrnoException | null } | null = null;
  private socketError: NodeJS.ErrnoException | null = null;

  constructor(
    readonly origin: TargetOrigin,
    private readonly keeper: ConnectionKeeper,
  ) {
    const onread: OnReadOpts = {
      // Asked for after each read, for the next one: a body's once its head is in.
      buffer: () => (this.phase === 'held' || this.phase === 'body' ? READ_BUFFER : HEAD_READ_BUFFER),
      callback: (bytes, buffer) => this.onRead(buffer as Buffer, bytes),
    };
    this.socket = origin.secure
      ? connectTls({ host: origin.host, port: origin.port, servername: isIP(origin.host) ? undefined : origin.host, ALPNProtocols: ['http/1.1'], onread } as ConnectionOptions)
      : connectTcp({ host: origin.host, port: origin.port, onread });
    this.socket.setNoDelay(true);
    // As Node's Agent with keepAlive: dead peers of kept connections are noticed.
    this.socket.setKeepAlive(true, 1000);
    this.socket.on('error', (error: NodeJS.ErrnoException) => (this.socketError ??= error));
    this.socket.on('close', () => this.onClose());
  }

  /** Sends GET `path`; resolves with the answer's head (1xx answers skipped), its body not yet read. */
  request(path: string, hostHeader: string, userAgent: string, signal: AbortSignal): Promise<AnswerHead> {
    if (this.phase !== 'idle') return Promise.reject(new Error(`request on a connection in phase ${this.phase}`));
    this.phase = 'head';
    this.received = 0;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.socket.ref();
    const answered = this.wait<AnswerHead>(signal);
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nAccept: application/json\r\nUser-Agent: ${userAgent}\r\nConnection: keep-alive\r\n\r\n`);
    return answered;
  }

  /** The body's length as its head declares it (null: chunked, or until the connection closes). */
  get declaredLength(): number | null {
    if (this.framing.kind === 'length') return this.framing.bytes;
    return this.framing.kind === 'none' ? 0 : null;
  }

  /**
   * Reads the body of the answer whose head `request` gave into `sink`; resolves once it is
   * whole (the connection is then kept for the next request, or closed). Rejects when the
   * connection fails or closes early, the body's framing is broken, `sink` throws (with its
   * error), or `signal` aborts.
   */
  readBody(sink: BodySink, signal: AbortSignal): Promise<void> {
    if (this.phase !== 'held') return Promise.reject(new Error(`body read on a connection in phase ${this.phase}`));
    this.phase = 'body';
    this.sink = sink;
    const read = this.wait<undefined>(signal);
    if (this.phase !== 'body') return read;
    if (this.framing.kind === 'none') this.bodyDone();
    try {
      this.held.release((bytes, start, end) => this.consume(bytes, start, end));
    } catch (error) {
      this.fail(error as Error);
      return read;
    }
    this.settle();
    if (this.phase !== 'body') return read;
    if (this.closedWhileHeld) this.closed(this.closedWhileHeld.error);
    else this.socket.resume();
    return read;
  }

  /** Bytes of the answer's body read before its read started, held until it does. */
  get heldBytes(): number {
    return this.held.bytes;
  }

  /** Closes the connection; an answer being read is dropped (nobody waits for it). */
  destroy(): void {
    this.phase = 'closed';
    this.takeWaiter();
    this.held.drop();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    // Not kept from now on, though the socket's 'close' comes later.
    this.keeper.forget(this);
    this.socket.destroy();
  }

  private wait<T extends AnswerHead | undefined>(signal: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const abort = () => this.fail(abortedBy(signal));
      this.waiter = { resolve: resolve as (value: AnswerHead | undefined) => void, reject, signal, abort };
      if (signal.aborted) abort();
      else signal.addEventListener('abort', abort, { once: true });
    });
  }

  /** The waiter, no longer waiting. */
  private takeWaiter(): Waiter | null {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.signal.removeEventListener('abort', waiter.abort);
    return waiter;
  }

  /** onread's callback: false stops reading (an answer is held). */
  private onRead(buffer: Buffer, bytes: number): boolean {
    this.received += bytes;
    try {
      this.consume(buffer, 0, bytes);
      this.settle();
    } catch (error) {
      this.fail(error as Error);
    }
    return this.phase !== 'held';
  }

  private consume(bytes: Buffer, start: number, end: number): void {
    while (start < end) {
      switch (this.phase) {
        case 'head':
          start = this.consumeHead(bytes, start, end);
          break;
        case 'held':
          this.held.hold(bytes, start, end);
          return;
        case 'body':
          start = this.consumeBody(bytes, start, end);
          break;
        case 'done':
          // Bytes past the answer's end: the connection's framing cannot be trusted for another request.
          this.reusable = false;
          return;
        case 'idle':
          throw new MalformedAnswer('HPE_UNEXPECTED_DATA', 'the target sent bytes no request asked for');
        case 'closed':
          return;
        default: {
          const never: never = this.phase;
          throw new Error(`unknown phase ${String(never)}`);
        }
      }
    }
  }

  private consumeHead(bytes: Buffer, start: number, end: number): number {
    if (this.partialHead === null) {
      const stop = headEnd(bytes, start, Math.min(end, start + MAX_HEAD_BYTES));
      if (stop >= 0) {
        this.headIn(bytes.toString('latin1', start, stop));
        return stop;
      }
      if (end - start >= MAX_HEAD_BYTES) throw headOverflow();
      this.partialHead = Buffer.allocUnsafe(MAX_HEAD_BYTES);
      this.partialHeadBytes = bytes.copy(this.partialHead, 0, start, end);
      return end;
    }
    const before = this.partialHeadBytes;
    const count = bytes.copy(this.partialHead, before, start, end);
    // The empty line may have begun in the bytes before (up to "\r\n" of "\r\n\r\n").
    const stop = headEnd(this.partialHead, Math.max(0, before - 2), before + count);
    if (stop < 0) {
      if (before + count >= MAX_HEAD_BYTES) throw headOverflow();
      this.partialHeadBytes += count;
      return end;
    }
    const text = this.partialHead.toString('latin1', 0, stop);
    this.partialHead = null;
    this.partialHeadBytes = 0;
    this.headIn(text);
    return start + (stop - before);
  }

  private headIn(text: string): void {
    const head = parseAnswerHead(text);
    if (head.status === 101) throw new MalformedAnswer('HPE_UNEXPECTED_UPGRADE', 'the target switched protocols (HTTP 101) on a GET that asked for none');
    // 100 Continue, 103 Early Hints: the answer's head is still to come.
    if (head.status < 200) return;
    this.framing = bodyFramingOf(head);
    ({ reusable: this.reusable, idleMs: this.idleMs } = keepAliveOf(head, this.framing));
    this.lengthLeft = this.framing.kind === 'length' ? this.framing.bytes : 0;
    this.chunked = this.framing.kind === 'chunked' ? new ChunkedBody() : null;
    this.phase = 'held';
    this.takeWaiter()?.resolve(head);
  }

  private consumeBody(bytes: Buffer, start: number, end: number): number {
    const sink = this.sink!;
    switch (this.framing.kind) {
      case 'none':
        this.bodyDone();
        return start;
      case 'length': {
        const stop = start + Math.min(this.lengthLeft, end - start);
        if (stop > start) sink(bytes, start, stop);
        this.lengthLeft -= stop - start;
        if (this.lengthLeft === 0) this.bodyDone();
        return stop;
      }
      case 'chunked': {
        const stop = this.chunked!.feed(bytes, start, end, (from, to) => sink(bytes, from, to));
        if (this.chunked!.done) this.bodyDone();
        return stop;
      }
      case 'until-close':
        sink(bytes, start, end);
        return end;
      default: {
        const never: never = this.framing;
        throw new Error(`unknown framing ${JSON.stringify(never)}`);
      }
    }
  }

  private bodyDone(): void {
    this.phase = 'done';
    this.sink = null;
    this.takeWaiter()?.resolve(undefined);
  }

  /** Once the bytes at hand are consumed: a connection whose answer is read is kept or closed. */
  private settle(): void {
    if (this.phase !== 'done') return;
    if (!this.reusable || this.closedWhileHeld) return this.destroy();
    this.phase = 'idle';
    this.socket.unref();
    if (this.idleMs !== null) this.idleTimer = setTimeout(() => this.destroy(), this.idleMs).unref();
    this.socket.resume();
    this.keeper.keep(this);
  }

  private fail(error: Error): void {
    const waiter = this.takeWaiter();
    this.destroy();
    waiter?.reject(error instanceof MalformedAnswer ? new TargetRequestFailed(error.message, error.code, false) : error);
  }

  private onClose(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.keeper.forget(this);
    // The bytes held may be the whole answer: its body's read decides.
    if (this.phase === 'held') this.closedWhileHeld = { error: this.socketError };
    else this.closed(this.socketError);
  }

  private closed(error: NodeJS.ErrnoException | null): void {
    if (this.phase === 'body' && this.framing.kind === 'until-close' && error === null) {
      this.bodyDone();
      this.phase = 'closed';
      return;
    }
    const phase = this.phase;
    this.phase = 'closed';
    this.held.drop();
    const waiter = this.takeWaiter();
    if (!waiter) return;
    const unanswered = phase === 'head' && this.received === 0;
    if (error) return waiter.reject(new TargetRequestFailed(error.message, error.code, false, unanswered));
    const what = phase === 'head' ? (unanswered ? 'before answering' : "before the end of its answer's headers") : 'before the end of its answer';
    waiter.reject(new TargetRequestFailed(`the target closed the connection ${what}`, 'ECONNRESET', false, unanswered));
  }
}

function headOverflow(): MalformedAnswer {
  return new MalformedAnswer('HPE_HEADER_OVERFLOW', `the answer's headers exceed ${MAX_HEAD_BYTES} bytes`);
}

/** The failure of a request `signal` aborted. */
export function abortedBy(signal: AbortSignal): TargetRequestFailed {
  const reason = signal.reason as Error | undefined;
  return new TargetRequestFailed(reason?.message ?? 'aborted', undefined, true);
}
