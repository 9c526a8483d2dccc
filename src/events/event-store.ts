import type { CommittedLater } from './batches-behind.js';
import type { ConsumeOptions, EventLog, LogMessage, StoredMessage, Subscription } from './event-log.js';
import type { PeriskopEvent, PeriskopEventType, RecordedEvent } from './events.js';
import { partitionSubjectPrefix, withoutPartition } from './partition.js';
import { serviceSubjectFilter } from './subject-filter.js';
import { encodeServiceToken } from './subject-token.js';
import { attachOccurrences, encodeSnapshot, splitMessage } from './logged-snapshot.js';

// Events in and out of the event log. An event is one JSON envelope on subject
// `<type>.<service-token>` (a snapshot's occurrences follow its envelope as bytes,
// logged-snapshot.ts). One that does not fit in a log message (a big snapshot) is split:
// its bytes go first as chunk messages on `chunk.<service-token>`, then a small chunked
// envelope on the event's own subject lists their sequences. Readers skip chunks and
// reassemble at the envelope, so events come out whole, ordered by their envelope's sequence.

export interface EventToPublish {
  /** De-duplication id: publishing the same id again within the log's window is a no-op. */
  id: string;
  event: PeriskopEvent;
}

/**
 * An event already turned into its log bytes (EventStore.encode). A publisher that queues
 * events before writing them (the scraper's group commit) queues these: a full snapshot's
 * objects then live only while it is encoded, not until its group is written, long enough
 * to be promoted to the old generation (a first scrape of a thousand 1 MB snapshots grew the
 * heap by ~200 MB of such garbage).
 */
export interface EncodedEvent {
  id: string;
  type: PeriskopEventType;
  service: string;
  data: Uint8Array;
}

/** Told of every publish, for metrics. */
export interface PublishObserver {
  published?(events: Pick<PeriskopEvent, 'type'>[]): void;
  failed?(events: Pick<PeriskopEvent, 'type'>[]): void;
}

export interface EventBatch {
  events: RecordedEvent[];
  /** Last log sequence the batch covers (chunks included); fromSeq - 1 when nothing was read. */
  throughSeq: number;
}

export type EventBatchHandler = (events: RecordedEvent[], throughSeq: number) => Promise<void>;

/** A consumer's batch of log messages whose events are decoded as they are taken (consumeUndecoded). */
export interface UndecodedBatch {
  /** Last log sequence the batch covers (chunks included). */
  throughSeq: number;
  /** Decodes the events in order, handing each to `onEvent` (awaited) with its bytes in the log. */
  eachEvent(onEvent: (recorded: RecordedEvent, bytes: number) => void | Promise<void>): Promise<void>;
}

/** Stands in for a split event's envelope; never has a `type`, so it cannot be mistaken for one. */
interface ChunkedEnvelope {
  chunked: number[];
  bytes: number;
}

const CHUNK_SUBJECT_PREFIX = 'chunk.';
const EVENT_TYPES: ReadonlySet<PeriskopEventType> = new Set([
  'TargetsDiscovered',
  'SnapshotScraped',
  'ScrapeFailed',
  'ErrorResolved',
]);

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export class EventStore {
  constructor(
    private readonly log: EventLog,
    private readonly observer: PublishObserver = {},
    /** Stream partitions (events.partitions): with more than one, subjects start with `p<k>.`. */
    private readonly partitions = 1,
  ) {}

  /** Appends the events in order; returns each one's sequence (its envelope's when split). */
  async publish(items: EventToPublish[]): Promise<number[]> {
    return this.publishEncoded(items.map((item) => this.encode(item)));
  }

  /** The event as the log will hold it; publishEncoded writes it. */
  encode({ id, event }: EventToPublish): EncodedEvent {
    const data = event.type === 'SnapshotScraped' ? encodeSnapshot(event) : utf8Encoder.encode(JSON.stringify(toEnvelope(event)));
    return { id, type: event.type, service: event.service, data };
  }

  /** Appends encoded events in order; returns each one's sequence (its envelope's when split). */
  async publishEncoded(items: EncodedEvent[]): Promise<number[]> {
    try {
      const seqs = await this.append(items);
      this.observer.published?.(items);
      return seqs;
    } catch (error) {
      this.observer.failed?.(items);
      throw error;
    }
  }

  private async append(items: EncodedEvent[]): Promise<number[]> {
    const seqs: number[] = [];
    let pending: LogMessage[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const results = await this.log.append(pending);
      seqs.push(...results.map((result) => result.seq));
      pending = [];
    };
    for (const { id, type, service, data } of items) {
      const partition = partitionSubjectPrefix(service, this.partitions);
      const subject = `${partition}${type}.${encodeServiceToken(service)}`;
      if (data.byteLength <= this.log.maxMessageBytes) {
        pending.push({ subject, id, data });
        continue;
      }
      // The chunks' sequences must be known before the envelope naming them is written.
      await flush();
      const chunkResults = await this.log.append(
        splitBytes(data, this.log.maxMessageBytes).map((chunk, i) => ({
          subject: partition + CHUNK_SUBJECT_PREFIX + encodeServiceToken(service),
          id: `${id}#chunk${i}`,
          data: chunk,
        })),
      );
      const envelope: ChunkedEnvelope = { chunked: chunkResults.map((result) => result.seq), bytes: data.byteLength };
      pending.push({ subject, id, data: utf8Encoder.encode(JSON.stringify(envelope)) });
    }
    await flush();
    return seqs;
  }

  async read(fromSeq: number, max: number): Promise<EventBatch> {
    const messages = await this.log.read(fromSeq, max);
    const events = await this.decodeBatch(messages);
    return { events, throughSeq: messages.at(-1)?.seq ?? fromSeq - 1 };
  }

  /**
   * One service's events with seq >= fromSeq, in order, from at most `max` log messages.
   * `throughSeq` is the last message read (fromSeq - 1 when none): read on from throughSeq + 1.
   */
  async readService(service: string, fromSeq: number, max: number): Promise<EventBatch> {
    const messages = await this.log.readSubject(serviceSubjectFilter(service, this.partitions), fromSeq, max);
    const events = await this.decodeBatch(messages);
    return { events, throughSeq: messages.at(-1)?.seq ?? fromSeq - 1 };
  }

  /**
   * A durable consumer of events. The handler is called for every batch of log messages, also
   * one holding only chunks (with no events), so a checkpoint can move past them.
   */
  consume(options: ConsumeOptions, handler: EventBatchHandler): Subscription {
    return this.log.consume(options, async (messages) => {
      const events = await this.decodeBatch(messages);
      await handler(events, messages.at(-1)!.seq);
    });
  }

  /**
   * A durable consumer whose handler decodes each batch's events as it takes them: one that
   * folds and drops them keeps a few alive at a time, not a whole batch (the live projector;
   * a batch of first-scrape snapshots decodes into tens of MB of objects). A handler that
   * commits behind returns CommittedLater (EventLog's BatchHandler).
   */
  consumeUndecoded(options: ConsumeOptions, handler: (batch: UndecodedBatch) => Promise<void | CommittedLater>): Subscription {
    return this.log.consume(options, (messages) =>
      handler({ throughSeq: messages.at(-1)!.seq, eachEvent: (onEvent) => this.decodeEach(messages, onEvent) }),
    );
  }

  head(): Promise<number> {
    return this.log.head();
  }

  /** Sequence of the oldest message the log still holds (0: none); see EventLog.oldest. */
  oldest(): Promise<number> {
    return this.log.oldest();
  }

  /** Events of messages read from the log some other way (EmbeddedEventLog.readServices). */
  decode(messages: StoredMessage[]): Promise<RecordedEvent[]> {
    return this.decodeBatch(messages);
  }

  /**
   * Like decode, but hands each event to `onEvent` as soon as it is decoded, so a caller that
   * folds and drops events keeps one event alive at a time instead of a whole batch (a replay
   * worker: a batch of 5,000 decoded events is tens of megabytes that every young-generation
   * collection during its fold copied, and then promoted).
   */
  async decodeEach(messages: StoredMessage[], onEvent: (recorded: RecordedEvent, bytes: number) => void | Promise<void>): Promise<void> {
    // A split event's chunks usually sit just before its envelope, in the same batch.
    const chunksInBatch = new Map<number, Uint8Array>();
    for (const message of messages) {
      if (isChunk(message)) {
        chunksInBatch.set(message.seq, message.data);
        continue;
      }
      const parsed = parseMessage(message);
      let taken: void | Promise<void>;
      if (isChunkedEnvelope(parsed.envelope)) {
        const data = await this.reassemble(message.seq, parsed.envelope, chunksInBatch);
        taken = onEvent({ seq: message.seq, event: validateEnvelope(message.seq, parseMessage({ seq: message.seq, data })) }, data.byteLength);
      } else {
        taken = onEvent({ seq: message.seq, event: validateEnvelope(message.seq, parsed) }, message.data.byteLength);
      }
      // Awaited only when it is a promise: a replay's workers fold a million events synchronously.
      if (taken) await taken;
    }
  }

  private async decodeBatch(messages: StoredMessage[]): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    await this.decodeEach(messages, (recorded) => {
      events.push(recorded);
    });
    return events;
  }

  private async reassemble(seq: number, envelope: ChunkedEnvelope, chunksInBatch: Map<number, Uint8Array>): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    for (const chunkSeq of envelope.chunked) {
      const chunk = chunksInBatch.get(chunkSeq) ?? (await this.readChunk(seq, chunkSeq));
      chunks.push(chunk);
    }
    const data = Buffer.concat(chunks);
    if (data.byteLength !== envelope.bytes) {
      throw new Error(`Event at seq ${seq}: chunks add up to ${data.byteLength} bytes, the envelope says ${envelope.bytes}`);
    }
    return data;
  }

  private async readChunk(seq: number, chunkSeq: number): Promise<Uint8Array> {
    const [message] = await this.log.read(chunkSeq, 1);
    if (!message || message.seq !== chunkSeq || !isChunk(message)) {
      throw new Error(`Event at seq ${seq}: its chunk at seq ${chunkSeq} is missing from the log`);
    }
    return message.data;
  }
}

function isChunk(message: StoredMessage): boolean {
  return withoutPartition(message.subject).startsWith(CHUNK_SUBJECT_PREFIX);
}

function toEnvelope(event: PeriskopEvent): PeriskopEvent {
  // Exactly the envelope fields, in a fixed order, whatever else the object carries.
  const { type, version, service, at, data } = event;
  return { type, version, service, at, data } as PeriskopEvent;
}

function splitBytes(data: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < data.byteLength; offset += size) chunks.push(data.subarray(offset, offset + size));
  return chunks;
}

/** A message's JSON envelope, parsed, and the bytes after it (a version 2 snapshot's occurrences). */
interface ParsedMessage {
  envelope: unknown;
  trailer: Uint8Array | null;
}

function parseMessage(message: { seq: number; data: Uint8Array }): ParsedMessage {
  const { envelope, trailer } = splitMessage(message.data);
  try {
    return { envelope: JSON.parse(utf8Decoder.decode(envelope)), trailer };
  } catch (error) {
    throw new Error(`Event at seq ${message.seq} is not UTF-8 JSON: ${(error as Error).message}`);
  }
}

function isChunkedEnvelope(value: unknown): value is ChunkedEnvelope {
  if (!isObject(value) || 'type' in value || !('chunked' in value)) return false;
  return (
    Array.isArray(value.chunked) &&
    value.chunked.every((seq) => Number.isSafeInteger(seq) && seq > 0) &&
    Number.isSafeInteger(value.bytes)
  );
}

function validateEnvelope(seq: number, { envelope, trailer }: ParsedMessage): PeriskopEvent {
  const problem = envelopeProblem(envelope, trailer);
  if (problem) throw new Error(`Event at seq ${seq} is invalid: ${problem}`);
  return envelope as PeriskopEvent;
}

function envelopeProblem(value: unknown, trailer: Uint8Array | null): string | null {
  if (!isObject(value)) return 'not a JSON object';
  if (typeof value.type !== 'string' || !EVENT_TYPES.has(value.type as PeriskopEventType)) {
    return `unknown type ${JSON.stringify(value.type)}`;
  }
  const versions = value.type === 'SnapshotScraped' ? [1, 2] : [1];
  if (!versions.includes(value.version as number)) return `unsupported version ${JSON.stringify(value.version)} of ${value.type}`;
  if (typeof value.service !== 'string') return 'service is not a string';
  if (typeof value.at !== 'number' || !Number.isFinite(value.at)) return 'at is not a number';
  if (!isObject(value.data)) return 'data is not an object';
  if (value.version === 2) return attachOccurrences(value.data, trailer);
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
