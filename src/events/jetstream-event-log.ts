import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, nanos, RequestError, TimeoutError, type NatsConnection } from '@nats-io/transport-node';
import type {
  AppendResult,
  BatchHandler,
  ConsumeOptions,
  EventLog,
  LogMessage,
  StoredMessage,
  Subscription,
} from './event-log.js';
import { OpenSubscriptions } from './open-subscriptions.js';
import { JetStreamBatchConsumer } from './jetstream-batch-consumer.js';

// The event log on a NATS JetStream stream: one stream, subjects `<prefix>.>`, limits
// retention, de-duplication by Nats-Msg-Id. Scales beyond one process.

export interface JetStreamEventLogOptions {
  url: string;
  stream: string;
  subjectPrefix: string;
  replicas?: number;
  /** 0 or absent: keep messages forever. */
  maxAgeMs?: number;
  /** -1 or absent: no size limit. */
  maxBytes?: number;
  duplicateWindowMs?: number;
  /** Connection name, shown by the server's monitoring. */
  name?: string;
}

const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;
/** max_payload counts headers too; Nats-Msg-Id and friends must fit beside the data. */
const HEADER_ALLOWANCE_BYTES = 4 * 1024;
const PUBLISH_TIMEOUT_MS = 5_000;
const PUBLISH_ATTEMPTS = 4;
const FIRST_PUBLISH_RETRY_DELAY_MS = 250;
/** A read's ephemeral consumer outlives a crashed reader by this much at most. */
const READ_CONSUMER_INACTIVE_MS = 30_000;
const READ_FETCH_EXPIRES_MS = 5_000;

export class JetStreamEventLog implements EventLog {
  readonly maxMessageBytes: number;
  private readonly consumers = new OpenSubscriptions();
  private readonly subjectPrefix: string;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly stream: string,
    subjectPrefix: string,
  ) {
    this.subjectPrefix = `${subjectPrefix}.`;
    const maxPayload = nc.info?.max_payload ?? 1024 * 1024;
    this.maxMessageBytes = maxPayload - HEADER_ALLOWANCE_BYTES;
  }

  static async connect(options: JetStreamEventLogOptions): Promise<JetStreamEventLog> {
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(options.subjectPrefix)) {
      throw new Error(`Invalid JetStream subject prefix ${JSON.stringify(options.subjectPrefix)}`);
    }
    const nc = await connect({
      servers: options.url,
      name: options.name ?? 'periskop',
      // A restarting NATS server must not take Periskop down with it.
      maxReconnectAttempts: -1,
    });
    void logConnectionStatus(nc, options.url);
    try {
      const jsm = await jetstreamManager(nc);
      await ensureStream(jsm, options);
      return new JetStreamEventLog(nc, jetstream(nc), jsm, options.stream, options.subjectPrefix);
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  async append(messages: LogMessage[]): Promise<AppendResult[]> {
    for (const message of messages) this.assertFits(message);
    const results: AppendResult[] = [];
    // One at a time: a retried publish must not overtake the next one.
    for (const message of messages) {
      const ack = await this.publishWithRetry(message);
      results.push({ seq: ack.seq, duplicate: ack.duplicate });
    }
    return results;
  }

  async read(fromSeq: number, max: number): Promise<StoredMessage[]> {
    return this.readFiltered(undefined, fromSeq, max);
  }

  async readSubject(subjectFilter: string, fromSeq: number, max: number): Promise<StoredMessage[]> {
    // One filter_subject per consumer: what nats-server 2.9 supports.
    return this.readFiltered(this.subjectPrefix + subjectFilter, fromSeq, max);
  }

  private async readFiltered(filterSubject: string | undefined, fromSeq: number, max: number): Promise<StoredMessage[]> {
    if (max <= 0) return [];
    // An ephemeral consumer at fromSeq: its num_pending says exactly how many (matching)
    // messages exist from there, so the fetch asks for no more than that and returns without waiting.
    const info = await this.jsm.consumers.add(this.stream, {
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: Math.max(1, fromSeq),
      inactive_threshold: nanos(READ_CONSUMER_INACTIVE_MS),
      mem_storage: true,
      ...(filterSubject !== undefined ? { filter_subject: filterSubject } : {}),
    });
    try {
      const count = Math.min(max, info.num_pending);
      if (count === 0) return [];
      const fetched = await this.js.consumers
        .getConsumerFromInfo(info)
        .fetch({ max_messages: count, expires: READ_FETCH_EXPIRES_MS });
      const messages: StoredMessage[] = [];
      for await (const message of fetched) messages.push(this.toStoredMessage(message));
      return messages;
    } finally {
      await this.jsm.consumers.delete(this.stream, info.name).catch(() => undefined);
    }
  }

  async head(): Promise<number> {
    const info = await this.jsm.streams.info(this.stream);
    return info.state.last_seq;
  }

  /** Messages a durable consumer has not had acknowledged yet; null when it does not exist. */
  async consumerBacklog(name: string): Promise<number | null> {
    try {
      const info = await this.jsm.consumers.info(this.stream, name);
      return info.num_pending + info.num_ack_pending;
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound) return null;
      throw error;
    }
  }

  async oldest(): Promise<number> {
    const { state } = await this.jsm.streams.info(this.stream);
    return state.messages === 0 ? 0 : state.first_seq;
  }

  consume(options: ConsumeOptions, handler: BatchHandler): Subscription {
    return this.consumers.track(
      new JetStreamBatchConsumer(
        { js: this.js, jsm: this.jsm, stream: this.stream, toStoredMessage: (m) => this.toStoredMessage(m) },
        options.filterSubject === undefined ? options : { ...options, filterSubject: this.subjectPrefix + options.filterSubject },
        handler,
      ),
    );
  }

  async close(): Promise<void> {
    await this.consumers.stopAll();
    if (!this.nc.isClosed()) await this.nc.drain();
  }

  private async publishWithRetry(message: LogMessage) {
    const subject = this.subjectPrefix + message.subject;
    let delayMs = FIRST_PUBLISH_RETRY_DELAY_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        // Same msgID on every attempt: the stream drops a retry of a publish that did land.
        return await this.js.publish(subject, message.data, { msgID: message.id, timeout: PUBLISH_TIMEOUT_MS });
      } catch (error) {
        if (!isTransientPublishError(error) || attempt >= PUBLISH_ATTEMPTS) throw error;
        console.warn(
          `JetStream publish of ${JSON.stringify(message.id)} to ${subject} failed (attempt ${attempt}), retrying in ${delayMs} ms: ${String(error)}`,
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        delayMs *= 2;
      }
    }
  }

  private toStoredMessage(message: JsMsg): StoredMessage {
    const subject = message.subject.startsWith(this.subjectPrefix)
      ? message.subject.slice(this.subjectPrefix.length)
      : message.subject;
    // Not copied: nats.js hands out each message's data as a view of the socket read it arrived
    // in, or of a buffer of its own when it spans reads, and reuses neither (the contract test
    // "keeps every message's bytes while later batches arrive" holds it to that). Copying
    // every message cost a consumer a second allocation of everything it read.
    return { seq: message.seq, subject, data: message.data };
  }

  private assertFits(message: LogMessage): void {
    if (message.data.byteLength > this.maxMessageBytes) {
      throw new Error(
        `Message ${JSON.stringify(message.id)} on ${message.subject} is ${message.data.byteLength} bytes, ` +
          `larger than the event log limit of ${this.maxMessageBytes} bytes (NATS max_payload minus headers)`,
      );
    }
  }
}

async function ensureStream(jsm: JetStreamManager, options: JetStreamEventLogOptions): Promise<void> {
  const limits = {
    subjects: [`${options.subjectPrefix}.>`],
    duplicate_window: nanos(options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS),
    num_replicas: options.replicas ?? 1,
    max_age: nanos(options.maxAgeMs ?? 0),
    max_bytes: options.maxBytes ?? -1,
  };
  try {
    await jsm.streams.update(options.stream, limits);
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
    await jsm.streams.add({
      name: options.stream,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      ...limits,
    });
  }
}

function isTransientPublishError(error: unknown): boolean {
  return (
    error instanceof TimeoutError ||
    // nats.js reports "no responders" on a JetStream publish as JetStream not being enabled;
    // during a server restart that is exactly what it looks like.
    (error instanceof Error && error.name === 'JetStreamNotEnabled') ||
    (error instanceof RequestError && error.isNoResponders())
  );
}

async function logConnectionStatus(nc: NatsConnection, url: string): Promise<void> {
  for await (const status of nc.status()) {
    switch (status.type) {
      case 'disconnect':
        console.warn(`NATS: disconnected from ${status.server} (${url}); reconnecting until it is back`);
        break;
      case 'reconnect':
        console.warn(`NATS: reconnected to ${status.server}`);
        break;
      case 'error':
        console.error(`NATS: ${String(status.error)}`);
        break;
    }
  }
}
