import type { CommittedLater } from './batches-behind.js';
// The port every event log adapter implements (JetStream, embedded). It moves opaque
// messages; encoding events into messages (and splitting large ones) happens above it.
// Subjects are relative (`SnapshotScraped.my-svc`): an adapter may prefix them on the wire
// (JetStream: `<prefix>.SnapshotScraped.my-svc`), callers never see the prefix.

export interface LogMessage {
  /** Relative subject: dot-separated tokens, no wildcards. */
  subject: string;
  /** De-duplication id: a second append with the same id within the window is dropped. */
  id: string;
  data: Uint8Array;
}

export interface StoredMessage {
  seq: number;
  /** Relative subject, as appended. */
  subject: string;
  data: Uint8Array;
}

export interface AppendResult {
  seq: number;
  duplicate: boolean;
}

export interface ConsumeOptions {
  /** Durable consumer name. */
  name: string;
  /** First sequence the handler wants (checkpoint + 1). */
  fromSeq: number;
  maxBatch: number;
  /**
   * A batch stops growing once it holds this many bytes of message data, so a large maxBatch
   * never means unbounded memory. How far past the bound the last read takes it is the
   * adapter's: the embedded log stops at the message that reaches it; JetStream after the
   * fetch that does (fetches are sized from the messages seen so far).
   */
  maxBatchBytes?: number;
  /**
   * When a message arrives at a consumer that had nothing to do, how long to let others
   * gather before the batch is read: messages appended one by one (a scrape round's) are then
   * handled in a few batches rather than one each. Costs up to this much latency; a backlog
   * is read at once. Absent: no wait.
   */
  gatherMs?: number;
  /**
   * Relative subject filter (`p3.>`): only matching messages are delivered, so sequences have
   * gaps. Absent: every message.
   */
  filterSubject?: string;
}

/**
 * Called with consecutive messages; the batch is acknowledged only after it resolves or, when
 * it resolves to CommittedLater (batches-behind.ts), once that commits: the consumer delivers
 * the next batches meanwhile, and starts again at this batch's first message if it fails.
 */
export type BatchHandler = (batch: StoredMessage[]) => Promise<void | CommittedLater>;

export interface Subscription {
  /** Stops fetching; resolves once the handler in flight (if any) has finished. */
  stop(): Promise<void>;
}

export interface EventLog {
  /** Largest message `append` accepts, in bytes. */
  readonly maxMessageBytes: number;
  /**
   * Appends in order and waits until each message is durable. Rejects (before writing any of
   * them) when a message's data is larger than `maxMessageBytes`.
   */
  append(messages: LogMessage[]): Promise<AppendResult[]>;
  /** Up to `max` messages with seq >= fromSeq, in order. */
  read(fromSeq: number, max: number): Promise<StoredMessage[]>;
  /**
   * Up to `max` messages with seq >= fromSeq whose relative subject matches `subjectFilter`
   * (NATS wildcards: `*` one token, `>` the rest; see subject-filter.ts), in order.
   */
  readSubject(subjectFilter: string, fromSeq: number, max: number): Promise<StoredMessage[]>;
  /** Sequence of the newest message, 0 when empty. */
  head(): Promise<number>;
  /**
   * Sequence of the oldest message still held, 0 when the log holds none. Above 1 when
   * retention (max_age, max_bytes) dropped older messages.
   */
  oldest(): Promise<number>;
  consume(options: ConsumeOptions, handler: BatchHandler): Subscription;
  close(): Promise<void>;
}

export const EVENT_LOG = Symbol('EventLog');
