import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type Consumer,
  type ConsumerInfo,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { BatchesBehind, isCommittedLater } from './batches-behind.js';
import type { BatchHandler, ConsumeOptions, StoredMessage } from './event-log.js';

// The durable batch consumer behind JetStreamEventLog.consume: a pull consumer named after the
// caller, positioned at the caller's checkpoint, acknowledging a batch only once its handler
// has resolved.
//
// Ordering is the whole point, so the loop never leaves a pull request open for more messages
// than it will read: it asks for exactly the number the consumer reports pending, or, when idle,
// long-polls for one. A message delivered to nobody (a dropped connection, a stopped poll)
// would otherwise come back after ack_wait, behind later ones. Whenever the consumer's
// position is in doubt (an error, a handler failure, a batch that does not start where the
// last one ended) it is deleted and recreated at the first unhandled sequence.

export interface JetStreamStreamAccess {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  toStoredMessage(message: JsMsg): StoredMessage;
}

/** How long an idle consumer waits for a new message before asking again. */
const IDLE_POLL_EXPIRES_MS = 1_000;
const PENDING_FETCH_EXPIRES_MS = 5_000;
/** Generous, since the loop recreates the consumer rather than relying on redelivery. */
const ACK_WAIT_MS = 60_000;
const ACK_TIMEOUT_MS = 5_000;
const FIRST_RETRY_DELAY_MS = 200;
/** Messages in the first fetch of a byte-bounded batch, before their size is known. */
const FIRST_SIZED_FETCH = 50;
const MAX_RETRY_DELAY_MS = 5_000;

export class JetStreamBatchConsumer {
  private readonly stopping = new AbortController();
  private readonly running: Promise<void>;
  private idlePoll: ConsumerMessages | null = null;

  constructor(
    private readonly access: JetStreamStreamAccess,
    private readonly options: ConsumeOptions,
    private readonly handler: BatchHandler,
  ) {
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    // Nothing is being handled during an idle poll; cutting it short only costs a consumer
    // recreation on the next start (the server may still deliver into the closed poll).
    await this.idlePoll?.close().catch(() => undefined);
    await this.running;
  }

  private async run(): Promise<void> {
    const { name } = this.options;
    let nextSeq = Math.max(1, this.options.fromSeq);
    let consumer: Consumer | null = null;
    let freshConsumer = false;
    let retryDelayMs = FIRST_RETRY_DELAY_MS;
    let prefetched: Promise<JsMsg[] | null> | null = null;
    // A failed commit behind ends the idle poll: the loop starts again at its batch at once.
    const behind = new BatchesBehind(() => void this.idlePoll?.close().catch(() => undefined));
    while (!this.stopping.signal.aborted) {
      let failure = 'fetching failed';
      try {
        const failed = behind.failure();
        if (failed) {
          failure = `commit of the batch from seq ${failed.fromSeq} failed`;
          throw failed.error;
        }
        if (!consumer) {
          // Whatever a dropped consumer still delivers is not read: the new one starts at nextSeq.
          prefetched = null;
          consumer = await this.positionConsumer(nextSeq);
          freshConsumer = true;
        }
        const fetched = (await prefetched) ?? (await this.fetchBatch(consumer));
        prefetched = null;
        // Acks that got lost can bring back messages already handled: skip them.
        const messages = fetched.filter((message) => message.seq >= nextSeq);
        // Left unacknowledged: the next start repositions the consumer at the caller's checkpoint.
        if (this.stopping.signal.aborted) break;
        if (messages.length === 0) continue;
        // Only a consumer just created at nextSeq may legitimately skip ahead (messages that
        // were deleted or aged out); on a reused one a jump means a delivery went missing.
        // A filtered consumer skips other partitions' messages: there, gaps are normal.
        if (messages[0]!.seq !== nextSeq && !freshConsumer && this.options.filterSubject === undefined) {
          consumer = null;
          continue;
        }
        freshConsumer = false;
        // While a backlog lasts, the server reads and sends the next batch while this one is
        // handled (AckPolicy.All: acking this batch later acknowledges only up to its end).
        prefetched = this.prefetchNext(consumer);
        const batch = messages.map((message) => this.access.toStoredMessage(message));
        failure = `handler failed for seq ${batch[0]!.seq}..${batch.at(-1)!.seq}`;
        // Built on a batch whose commit failed meanwhile: delivered again from that one instead.
        if (behind.failure()) throw behind.failure()!.error;
        const handled = await this.handler(batch);
        nextSeq = batch.at(-1)!.seq + 1;
        failure = `ack of seq ${nextSeq - 1} failed`;
        // AckPolicy.All: acknowledging the last message acknowledges the batch.
        const last = messages.at(-1)!;
        const acknowledge = async () => void (await last.ackAck({ timeout: ACK_TIMEOUT_MS }));
        if (isCommittedLater(handled)) behind.add(batch[0]!.seq, nextSeq - 1, handled, acknowledge);
        else await acknowledge();
        retryDelayMs = FIRST_RETRY_DELAY_MS;
      } catch (error) {
        // Batches handed over before this one that failed to commit are delivered again.
        const restartAt = await behind.settle();
        if (restartAt !== null) nextSeq = restartAt;
        if (this.stopping.signal.aborted && failure === 'fetching failed') break;
        console.error(`JetStream consumer ${name}: ${failure}, retrying from seq ${nextSeq} in ${retryDelayMs} ms:`, error);
        consumer = null;
        prefetched = null;
        await abortableDelay(retryDelayMs, this.stopping.signal);
        retryDelayMs = Math.min(retryDelayMs * 2, MAX_RETRY_DELAY_MS);
      }
    }
    // A fetch still in flight ends within its expiry; its messages stay unacknowledged.
    await prefetched?.catch(() => undefined);
    await behind.settle();
  }

  /** The next batch of what is already pending, or null when nothing is (then the loop polls). */
  private prefetchNext(consumer: Consumer): Promise<JsMsg[] | null> {
    const next = this.fetchPending(consumer);
    // Awaited by the next turn of the loop, or dropped with the consumer on a failure.
    next.catch(() => undefined);
    return next;
  }

  /** A batch of what the consumer has pending, or null when it has nothing pending. */
  private async fetchPending(consumer: Consumer): Promise<JsMsg[] | null> {
    const pending = (await consumer.info()).num_pending;
    return pending > 0 ? this.fetchUpTo(consumer, Math.min(this.options.maxBatch, pending), []) : null;
  }

  /** The durable consumer, reused only when it would deliver exactly `nextSeq` next. */
  private async positionConsumer(nextSeq: number): Promise<Consumer> {
    const { js, jsm, stream } = this.access;
    const { name, maxBatch } = this.options;
    const existing = await jsm.consumers.info(stream, name).catch((error: unknown) => {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound) return null;
      throw error;
    });
    if (
      existing &&
      (existing.config.filter_subject || undefined) === this.options.filterSubject &&
      // A consumer made for smaller batches would hold a bigger fetch open until it expires.
      (existing.config.max_ack_pending ?? 0) >= maxAckPending(maxBatch) &&
      nextDeliveryOf(existing) === nextSeq
    ) {
      return js.consumers.getConsumerFromInfo(existing);
    }
    if (existing) await jsm.consumers.delete(stream, name);
    const created = await jsm.consumers.add(stream, {
      name,
      durable_name: name,
      ack_policy: AckPolicy.All,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: nextSeq,
      ...(this.options.filterSubject === undefined ? {} : { filter_subject: this.options.filterSubject }),
      ack_wait: nanos(ACK_WAIT_MS),
      max_ack_pending: maxAckPending(maxBatch),
    });
    return js.consumers.getConsumerFromInfo(created);
  }

  private async fetchBatch(consumer: Consumer): Promise<JsMsg[]> {
    const { maxBatch } = this.options;
    const pending = await this.fetchPending(consumer);
    if (pending) return pending;
    if (this.stopping.signal.aborted) return [];
    this.idlePoll = await consumer.fetch({ max_messages: 1, expires: IDLE_POLL_EXPIRES_MS });
    const first = await drain(this.idlePoll).finally(() => (this.idlePoll = null));
    if (first.length === 0 || maxBatch === 1 || this.stopping.signal.aborted) return first;
    if (this.options.gatherMs) await abortableDelay(this.options.gatherMs, this.stopping.signal);
    // Whatever arrived with it belongs in the same batch.
    const more = (await consumer.info()).num_pending;
    if (more === 0) return first;
    return this.fetchUpTo(consumer, Math.min(maxBatch - 1, more), first);
  }

  /**
   * `count` more messages (all pending, so no fetch is left open), appended to `batch`. With
   * maxBatchBytes, in fetches sized from the messages seen so far, stopping once the batch
   * holds that many bytes (nats.js takes a message count or a byte bound, not both).
   */
  private async fetchUpTo(consumer: Consumer, count: number, batch: JsMsg[]): Promise<JsMsg[]> {
    const { maxBatchBytes } = this.options;
    if (maxBatchBytes === undefined) return [...batch, ...(await drain(await consumer.fetch({ max_messages: count, expires: PENDING_FETCH_EXPIRES_MS })))];
    let bytes = batch.reduce((sum, m) => sum + m.data.byteLength, 0);
    let left = count;
    const out = [...batch];
    while (left > 0 && bytes < maxBatchBytes) {
      const average = out.length > 0 ? Math.max(1, bytes / out.length) : null;
      const size = average === null ? Math.min(left, FIRST_SIZED_FETCH) : Math.max(1, Math.min(left, Math.floor((maxBatchBytes - bytes) / average)));
      const fetched = await drain(await consumer.fetch({ max_messages: size, expires: PENDING_FETCH_EXPIRES_MS }));
      if (fetched.length === 0) break;
      for (const m of fetched) bytes += m.data.byteLength;
      out.push(...fetched);
      left -= fetched.length;
    }
    return out;
  }
}

/**
 * A batch committing behind, the next one being handled and the one after it prefetched are
 * all unacknowledged: with room for two only, the prefetch waited for the commit's ack.
 */
function maxAckPending(maxBatch: number): number {
  return Math.max(1_000, 3 * maxBatch);
}

/** The stream sequence a consumer delivers next, or null when it has unacknowledged messages. */
function nextDeliveryOf(info: ConsumerInfo): number | null {
  const { config } = info;
  if (config.ack_policy !== AckPolicy.All || config.deliver_policy !== DeliverPolicy.StartSequence) return null;
  if (info.num_ack_pending > 0) return null;
  if (info.delivered.consumer_seq === 0) return config.opt_start_seq ?? null;
  return info.delivered.stream_seq + 1;
}

async function drain(messages: ConsumerMessages): Promise<JsMsg[]> {
  const received: JsMsg[] = [];
  for await (const message of messages) received.push(message);
  return received;
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
