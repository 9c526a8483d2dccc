import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CONSUMER_BATCH_BYTES, EmbeddedEventLog } from '../src/events/embedded-event-log.js';
import type { StoredMessage } from '../src/events/event-log.js';
import { waitFor } from './support/wait-for.js';
import { describeEventLogContract } from './event-log.contract.js';
import { openTestEmbeddedLog, temporaryDir } from './support/test-event-logs.js';

describeEventLogContract('embedded', () => openTestEmbeddedLog());

describe('embedded event log', () => {
  let dir: string;
  let remove: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, remove } = await temporaryDir());
  });

  afterEach(async () => {
    await remove();
  });

  it('keeps its messages across close and reopen', async () => {
    const first = EmbeddedEventLog.open(dir);
    await first.append([
      { subject: 'Test.a', id: 'a', data: new TextEncoder().encode('first') },
      { subject: 'Test.b', id: 'b', data: new TextEncoder().encode('second') },
    ]);
    await first.close();

    const reopened = EmbeddedEventLog.open(dir);
    try {
      expect(await reopened.head()).toBe(2);
      const stored = await reopened.read(1, 10);
      expect(stored.map((m) => [m.seq, m.subject, Buffer.from(m.data).toString()])).toEqual([
        [1, 'Test.a', 'first'],
        [2, 'Test.b', 'second'],
      ]);
      // The de-duplication window survives too.
      expect(await reopened.append([{ subject: 'Test.a', id: 'a', data: new Uint8Array() }])).toEqual([{ seq: 1, duplicate: true }]);
      expect(await reopened.append([{ subject: 'Test.c', id: 'c', data: new Uint8Array() }])).toEqual([{ seq: 3, duplicate: false }]);
    } finally {
      await reopened.close();
    }
  });

  it.each([
    ['stops after the message reaching maxBytes', 10, 25, [1, 2, 3]],
    ['stops at max messages first', 2, 1_000, [1, 2]],
    ['gives at least one message, however large', 10, 1, [1]],
  ])('readBounded %s', async (_case, max, maxBytes, seqs) => {
    const log = EmbeddedEventLog.open(dir);
    try {
      await log.append(Array.from({ length: 5 }, (_, i) => ({ subject: 'Test.a', id: `m${i}`, data: new Uint8Array(10) })));
      expect((await log.readBounded(1, max, maxBytes)).map((m) => m.seq)).toEqual(seqs);
    } finally {
      await log.close();
    }
  });

  it('creates a new log with 16 KiB pages and opens one made with 4 KiB pages as it is', async () => {
    const fresh = EmbeddedEventLog.open(dir);
    await fresh.append([{ subject: 'Test.a', id: 'a', data: new Uint8Array(7_000) }]);
    await fresh.close();
    expect(pageSize(join(dir, 'events.sqlite'))).toBe(16_384);

    const oldDir = join(dir, 'old');
    mkdirSync(oldDir);
    const old = new Database(join(oldDir, 'events.sqlite'));
    old.pragma('page_size = 4096');
    old.exec('VACUUM');
    old.close();
    const reopened = EmbeddedEventLog.open(oldDir);
    try {
      await reopened.append([{ subject: 'Test.b', id: 'b', data: new Uint8Array(7_000) }]);
      expect((await reopened.read(1, 10)).map((m) => m.data.byteLength)).toEqual([7_000]);
    } finally {
      await reopened.close();
    }
    expect(pageSize(join(oldDir, 'events.sqlite'))).toBe(4_096);
  });

  it('hands a consumer without maxBatchBytes batches of about CONSUMER_BATCH_BYTES, not maxBatch messages of any size', async () => {
    const log = EmbeddedEventLog.open(dir, { maxMessageBytes: CONSUMER_BATCH_BYTES });
    const quarter = CONSUMER_BATCH_BYTES / 4;
    const batches: StoredMessage[][] = [];
    try {
      await log.append(Array.from({ length: 10 }, (_, i) => ({ subject: 'Test.a', id: `m${i}`, data: new Uint8Array(quarter) })));
      const subscription = log.consume({ name: 'bounded', fromSeq: 1, maxBatch: 500 }, async (batch) => void batches.push(batch));
      await waitFor(() => batches.flat().length === 10, 10_000, 'every message consumed');
      await subscription.stop();
      expect(batches.map((batch) => batch.map((m) => m.seq))).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]);
    } finally {
      await log.close();
    }
  });

  it('records how far a consumer got once it has caught up, though not after every batch', async () => {
    const log = EmbeddedEventLog.open(dir);
    const acked = () => {
      const db = new Database(join(dir, 'events.sqlite'), { readonly: true });
      try {
        return (db.prepare('SELECT acked_seq FROM consumers WHERE name = ?').get('progress') as { acked_seq: number } | undefined)?.acked_seq;
      } finally {
        db.close();
      }
    };
    let handled = 0;
    try {
      await log.append(Array.from({ length: 10 }, (_, i) => ({ subject: 'Test.a', id: `m${i}`, data: new Uint8Array(1) })));
      const subscription = log.consume({ name: 'progress', fromSeq: 1, maxBatch: 1 }, async (batch) => void (handled += batch.length));
      await waitFor(() => handled === 10 && acked() === 10, 10_000, 'the consumer caught up and its progress recorded');
      await log.append([{ subject: 'Test.a', id: 'm10', data: new Uint8Array(1) }]);
      await waitFor(() => handled === 11, 10_000, 'the next message handled');
      await subscription.stop();
      expect(acked()).toBe(11);
    } finally {
      await log.close();
    }
  });

  it('accepts an id again once the duplicate window has passed', async () => {
    let now = 1_000_000;
    const log = EmbeddedEventLog.open(dir, { duplicateWindowMs: 60_000, clock: { now: () => now } });
    try {
      const message = { subject: 'Test.a', id: 'same', data: new Uint8Array([1]) };
      await log.append([message]);
      now += 59_000;
      expect(await log.append([message])).toEqual([{ seq: 1, duplicate: true }]);
      now += 2_000;
      expect(await log.append([message])).toEqual([{ seq: 2, duplicate: false }]);
    } finally {
      await log.close();
    }
  });

  it('takes its message limit from the options', async () => {
    const log = EmbeddedEventLog.open(dir, { maxMessageBytes: 10 });
    try {
      expect(log.maxMessageBytes).toBe(10);
      await expect(log.append([{ subject: 'Test.a', id: 'a', data: new Uint8Array(11) }])).rejects.toThrow(
        /11 bytes, larger than the event log limit of 10 bytes/,
      );
    } finally {
      await log.close();
    }
  });
});

function pageSize(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('page_size', { simple: true }) as number;
  } finally {
    db.close();
  }
}
