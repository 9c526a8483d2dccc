import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Clock } from '../clock/clock.js';
import { systemClock } from '../clock/clock.js';
import type {
  AppendResult,
  BatchHandler,
  ConsumeOptions,
  EventLog,
  LogMessage,
  StoredMessage,
  Subscription,
} from './event-log.js';
import { BatchesBehind, isCommittedLater } from './batches-behind.js';
import { OpenSubscriptions } from './open-subscriptions.js';
import { subjectMatches, tailAfterFirstToken } from './subject-filter.js';

// The single-process event log: an append-only SQLite table, durable on disk. Same semantics
// as the JetStream adapter (sequences, de-duplication window, durable batch consumers, the
// same 1 MiB message limit so large-event splitting is exercised in both).

export interface EmbeddedEventLogOptions {
  maxMessageBytes?: number;
  duplicateWindowMs?: number;
  clock?: Clock;
}

const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;
/** Fallback for appends this process was not told about (another log instance on the file). */
const POLL_INTERVAL_MS = 1_000;
const FIRST_RETRY_DELAY_MS = 200;
/**
 * A consumer's batch ends at maxBatch messages or once it holds maxBatchBytes, by default this
 * many: 500 messages of first snapshots are 500 MB, and the consumer's memory would grow with
 * the fleet.
 */
export const CONSUMER_BATCH_BYTES = 16 * 1024 * 1024;
/**
 * A consumer's progress is written at most this often (when it stops, at once; at rest,
 * within the log's poll interval): each write is a disk sync on the event loop, once per batch it cost
 * more than a scrape round's events, and nothing reads it back but an operator (the caller's
 * fromSeq wins on restart).
 */
const ACK_RECORD_INTERVAL_MS = 1_000;
const MAX_RETRY_DELAY_MS = 5_000;

interface MessageRow {
  seq: number;
  subject: string;
  data: Buffer;
}

export class EmbeddedEventLog implements EventLog {
  readonly maxMessageBytes: number;
  private readonly duplicateWindowMs: number;
  private readonly clock: Clock;
  private readonly appendWaiters = new Set<() => void>();
  private readonly consumers = new OpenSubscriptions();
  private readonly statements: ReturnType<typeof prepareStatements>;
  /** Bumped on every append so a consumer cannot miss one between reading and waiting. */
  private appendGeneration = 0;
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    options: EmbeddedEventLogOptions,
  ) {
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.duplicateWindowMs = options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS;
    this.clock = options.clock ?? systemClock;
    this.statements = prepareStatements(db);
  }

  static open(dir: string, options: EmbeddedEventLogOptions = {}): EmbeddedEventLog {
    mkdirSync(dir, { recursive: true });
    const db = new Database(join(dir, 'events.sqlite'));
    // A new log's pages hold a typical event (~7 KB of JSON) without overflow pages: reading the
    // log back (replay, catch-up) was a quarter faster than with SQLite's default 4 KiB. An
    // existing file keeps the page size it was created with.
    db.pragma('page_size = 16384');
    db.pragma('journal_mode = WAL');
    // FULL: a commit is on disk before append() resolves, like a JetStream PubAck.
    db.pragma('synchronous = FULL');
    db.exec(`
      CREATE TABLE IF NOT EXISTS messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        subject TEXT NOT NULL,
        msg_id TEXT NOT NULL,
        data BLOB NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS messages_by_msg_id ON messages (msg_id, at);
      -- One service's messages (subject "<type>.<service-token>") without a scan of the log.
      CREATE INDEX IF NOT EXISTS messages_by_subject_tail ON messages (${SUBJECT_TAIL}, seq);
      CREATE TABLE IF NOT EXISTS consumers (
        name TEXT PRIMARY KEY,
        acked_seq INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `);
    db.function('subject_matches', { deterministic: true }, (filter, subject) =>
      subjectMatches(String(filter), String(subject)) ? 1 : 0,
    );
    return new EmbeddedEventLog(db, options);
  }

  async append(messages: LogMessage[]): Promise<AppendResult[]> {
    this.assertOpen();
    for (const message of messages) this.assertFits(message);
    const { findRecent, insert } = this.statements;
    const appendAll = this.db.transaction((batch: LogMessage[]): AppendResult[] => {
      const now = this.clock.now();
      return batch.map((message) => {
        const original = findRecent.get(message.id, now - this.duplicateWindowMs);
        if (original) return { seq: original.seq, duplicate: true };
        const { lastInsertRowid } = insert.run(message.subject, message.id, message.data, now);
        return { seq: Number(lastInsertRowid), duplicate: false };
      });
    });
    const results = appendAll(messages);
    if (results.some((result) => !result.duplicate)) this.notifyAppended();
    return results;
  }

  async read(fromSeq: number, max: number): Promise<StoredMessage[]> {
    this.assertOpen();
    if (max <= 0) return [];
    return this.statements.readFrom.all(Math.max(1, fromSeq), max).map(toStoredMessage);
  }

  /** Messages from fromSeq on: at most `max`, and none after the one reaching `maxBytes` of data. */
  async readBounded(fromSeq: number, max: number, maxBytes: number): Promise<StoredMessage[]> {
    this.assertOpen();
    const messages: StoredMessage[] = [];
    if (max <= 0) return messages;
    let bytes = 0;
    for (const row of this.statements.readFrom.iterate(Math.max(1, fromSeq), max)) {
      messages.push(toStoredMessage(row));
      bytes += row.data.byteLength;
      if (bytes >= maxBytes) break;
    }
    return messages;
  }

  async readSubject(subjectFilter: string, fromSeq: number, max: number): Promise<StoredMessage[]> {
    this.assertOpen();
    if (max <= 0) return [];
    const tail = tailAfterFirstToken(subjectFilter);
    const rows =
      tail !== null
        ? this.statements.readTail.all(tail, Math.max(1, fromSeq), max)
        : this.statements.readMatching.all(subjectFilter, Math.max(1, fromSeq), max);
    return rows.map(toStoredMessage);
  }

  /**
   * The messages from fromSeq through toSeq of the services whose subject tokens are listed
   * (their chunks included). The others' data is never copied out of the database: a parallel
   * replay's worker reads only its share of a log all workers read.
   */
  readServices(fromSeq: number, toSeq: number, serviceTokens: readonly string[]): StoredMessage[] {
    this.assertOpen();
    return inSeqOrder(this.statements.readServices.all(Math.max(1, fromSeq), toSeq, JSON.stringify(serviceTokens)));
  }

  /** The messages at these sequences (those the log holds), in sequence order. */
  readSeqs(seqs: readonly number[]): StoredMessage[] {
    this.assertOpen();
    return inSeqOrder(this.statements.readSeqs.all(JSON.stringify(seqs)));
  }

  /**
   * How many messages from fromSeq on each subject tail holds (the subject after its first
   * token: a service token, or `<type>.<token>` with a partition token), from the index alone.
   */
  messagesBySubjectTail(fromSeq: number): Map<string, number> {
    this.assertOpen();
    return new Map(this.statements.countByTail.all(Math.max(1, fromSeq)).map((row) => [row.tail, row.messages]));
  }

  async head(): Promise<number> {
    this.assertOpen();
    const row = this.statements.head.get();
    return row?.head ?? 0;
  }

  async oldest(): Promise<number> {
    this.assertOpen();
    return this.statements.oldest.get()?.oldest ?? 0;
  }

  consume(options: ConsumeOptions, handler: BatchHandler): Subscription {
    this.assertOpen();
    if (options.filterSubject !== undefined) throw new Error('The embedded event log has no partitions: filtered consumers need JetStream');
    return this.consumers.track(new EmbeddedConsumerLoop(this, options, handler));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.consumers.stopAll();
    this.closed = true;
    this.db.close();
  }

  /** @internal Records how far a durable consumer got; the caller's fromSeq still wins on restart. */
  recordAck(name: string, seq: number): void {
    this.statements.recordAck.run(name, seq, this.clock.now());
  }

  /** @internal Pass it to waitForAppend to learn about appends made after this call. */
  currentAppendGeneration(): number {
    return this.appendGeneration;
  }

  /**
   * @internal Resolves once an append in this process happened after `sinceGeneration` was
   * taken, or after the poll interval, or on abort.
   */
  waitForAppend(sinceGeneration: number, signal: AbortSignal): Promise<void> {
    if (sinceGeneration !== this.appendGeneration || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.appendWaiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, POLL_INTERVAL_MS);
      this.appendWaiters.add(done);
      signal.addEventListener('abort', done);
    });
  }

  private notifyAppended(): void {
    this.appendGeneration += 1;
    for (const wake of [...this.appendWaiters]) wake();
  }

  private assertFits(message: LogMessage): void {
    if (message.data.byteLength > this.maxMessageBytes) {
      throw new Error(
        `Message ${JSON.stringify(message.id)} on ${message.subject} is ${message.data.byteLength} bytes, ` +
          `larger than the event log limit of ${this.maxMessageBytes} bytes`,
      );
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('Embedded event log is closed');
  }
}

/** The subject after its first token, as SQL; the same expression as the index's. */
const SUBJECT_TAIL = "substr(subject, instr(subject, '.') + 1)";

/**
 * Rows sorted here rather than by ORDER BY: SQLite reads a worker's services through the
 * subject-tail index, one service after the other, and sorted the rows, their 7 KB of data
 * included, in a temporary b-tree (a third of the query's time).
 */
function inSeqOrder(rows: MessageRow[]): StoredMessage[] {
  return rows.sort((a, b) => a.seq - b.seq).map(toStoredMessage);
}

function toStoredMessage(row: MessageRow): StoredMessage {
  return { seq: row.seq, subject: row.subject, data: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength) };
}

function prepareStatements(db: Database.Database) {
  return {
    findRecent: db.prepare<[string, number], { seq: number }>(
      'SELECT seq FROM messages WHERE msg_id = ? AND at >= ? ORDER BY seq DESC LIMIT 1',
    ),
    insert: db.prepare<[string, string, Uint8Array, number]>(
      'INSERT INTO messages (subject, msg_id, data, at) VALUES (?, ?, ?, ?)',
    ),
    readFrom: db.prepare<[number, number], MessageRow>(
      'SELECT seq, subject, data FROM messages WHERE seq >= ? ORDER BY seq LIMIT ?',
    ),
    readTail: db.prepare<[string, number, number], MessageRow>(
      `SELECT seq, subject, data FROM messages WHERE ${SUBJECT_TAIL} = ? AND seq >= ? ORDER BY seq LIMIT ?`,
    ),
    readMatching: db.prepare<[string, number, number], MessageRow>(
      'SELECT seq, subject, data FROM messages WHERE subject_matches(?, subject) AND seq >= ? ORDER BY seq LIMIT ?',
    ),
    head: db.prepare<[], { head: number | null }>('SELECT MAX(seq) AS head FROM messages'),
    // SUBJECT_TAIL is the service token (the embedded log has no partition tokens). Unordered,
    // as readSeqs: inSeqOrder sorts their rows.
    readServices: db.prepare<[number, number, string], MessageRow>(
      `SELECT seq, subject, data FROM messages WHERE seq BETWEEN ? AND ? AND ${SUBJECT_TAIL} IN (SELECT value FROM json_each(?))`,
    ),
    readSeqs: db.prepare<[string], MessageRow>('SELECT seq, subject, data FROM messages WHERE seq IN (SELECT value FROM json_each(?))'),
    countByTail: db.prepare<[number], { tail: string; messages: number }>(
      `SELECT ${SUBJECT_TAIL} AS tail, COUNT(*) AS messages FROM messages WHERE seq >= ? GROUP BY ${SUBJECT_TAIL}`,
    ),
    oldest: db.prepare<[], { oldest: number | null }>('SELECT MIN(seq) AS oldest FROM messages'),
    recordAck: db.prepare<[string, number, number]>(
      `INSERT INTO consumers (name, acked_seq, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET acked_seq = excluded.acked_seq, updated_at = excluded.updated_at`,
    ),
  };
}

class EmbeddedConsumerLoop {
  private readonly stopping = new AbortController();
  private readonly running: Promise<void>;

  constructor(
    private readonly log: EmbeddedEventLog,
    private readonly options: ConsumeOptions,
    private readonly handler: BatchHandler,
  ) {
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    const { name, maxBatch, maxBatchBytes } = this.options;
    let nextSeq = Math.max(1, this.options.fromSeq);
    let retryDelayMs = FIRST_RETRY_DELAY_MS;
    let unrecordedAck: number | null = null;
    let ackRecordedAt = -Infinity;
    const recordAck = () => {
      if (unrecordedAck === null) return;
      this.log.recordAck(name, unrecordedAck);
      unrecordedAck = null;
      ackRecordedAt = performance.now();
    };
    // A failed commit behind ends the wait for appends: the loop starts again at its batch at once.
    let wake = new AbortController();
    const behind = new BatchesBehind(() => wake.abort());
    while (!this.stopping.signal.aborted) {
      const generation = this.log.currentAppendGeneration();
      let batch: StoredMessage[] = [];
      try {
        const failed = behind.failure();
        if (failed) throw failed.error;
        batch = await this.log.readBounded(nextSeq, maxBatch, maxBatchBytes ?? CONSUMER_BATCH_BYTES);
        if (batch.length === 0) {
          if (performance.now() - ackRecordedAt >= ACK_RECORD_INTERVAL_MS) recordAck();
          wake = new AbortController();
          await this.log.waitForAppend(generation, AbortSignal.any([this.stopping.signal, wake.signal]));
          if (this.options.gatherMs && this.log.currentAppendGeneration() !== generation) await abortableDelay(this.options.gatherMs, this.stopping.signal);
          continue;
        }
        // Built on a batch whose commit failed meanwhile: delivered again from that one instead.
        if (behind.failure()) throw behind.failure()!.error;
        const handled = await this.handler(batch);
        if (isCommittedLater(handled)) {
          const through = batch.at(-1)!.seq;
          behind.add(batch[0]!.seq, through, handled, () => {
            unrecordedAck = through;
            if (performance.now() - ackRecordedAt >= ACK_RECORD_INTERVAL_MS) recordAck();
          });
          nextSeq = through + 1;
          retryDelayMs = FIRST_RETRY_DELAY_MS;
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
      } catch (error) {
        // Batches handed over before this one that failed to commit are delivered again.
        const restartAt = await behind.settle();
        if (restartAt !== null) nextSeq = restartAt;
        const what = batch.length > 0 ? `handler failed for seq ${batch[0]!.seq}..${batch.at(-1)!.seq}` : 'read failed';
        console.error(`Event log consumer ${name}: ${what}, retrying in ${retryDelayMs} ms:`, error);
        await abortableDelay(retryDelayMs, this.stopping.signal);
        retryDelayMs = Math.min(retryDelayMs * 2, MAX_RETRY_DELAY_MS);
        continue;
      }
      const lastSeq = batch.at(-1)!.seq;
      unrecordedAck = lastSeq;
      if (performance.now() - ackRecordedAt >= ACK_RECORD_INTERVAL_MS) recordAck();
      nextSeq = lastSeq + 1;
      retryDelayMs = FIRST_RETRY_DELAY_MS;
      // SQLite answers synchronously: without a turn of the event loop here, a long catch-up
      // would keep HTTP requests (health, API) waiting until it ends.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await behind.settle();
    recordAck();
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
