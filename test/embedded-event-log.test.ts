import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EmbeddedEventLog } from '../src/events/embedded-event-log.js';
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

  it('reads a batch up to the message that brings it to maxBytes, and a bigger message alone', async () => {
    const log = EmbeddedEventLog.open(dir);
    try {
      const sized = (n: number, bytes: number) => ({ subject: `Test.s${n}`, id: `m${n}`, data: new Uint8Array(bytes) });
      await log.append([sized(1, 1_000), sized(2, 1_000), sized(3, 1_000), sized(4, 5_000), sized(5, 1_000)]);
      const seqs = async (from: number) => (await log.readBatch(from, 100, 2_000)).map((m) => m.seq);
      expect(await seqs(1)).toEqual([1, 2]);
      expect(await seqs(3)).toEqual([3, 4]);
      expect(await seqs(4)).toEqual([4]);
      expect(await seqs(5)).toEqual([5]);
      expect((await log.readBatch(1, 3)).map((m) => m.seq)).toEqual([1, 2, 3]);
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
