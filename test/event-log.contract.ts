import { jest } from '@jest/globals';
import type { EventLog, LogMessage, StoredMessage, Subscription } from '../src/events/event-log.js';
import { waitFor } from './support/wait-for.js';

// What every EventLog adapter promises, run against each of them (no mocks).

export interface OpenedEventLog {
  log: EventLog;
  cleanup: () => Promise<void>;
}

export function describeEventLogContract(label: string, open: () => Promise<OpenedEventLog>): void {
  describe(`${label} event log contract`, () => {
    let log: EventLog;
    let cleanup: () => Promise<void>;
    let subscriptions: Subscription[];

    beforeEach(async () => {
      ({ log, cleanup } = await open());
      subscriptions = [];
    });

    afterEach(async () => {
      await Promise.all(subscriptions.map((subscription) => subscription.stop()));
      await cleanup();
    });

    const text = (value: string) => new TextEncoder().encode(value);
    const message = (n: number): LogMessage => ({ subject: `Test.svc-${n}`, id: `msg-${n}`, data: text(`payload ${n}`) });
    const messages = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => message(from + i));
    const seqsOf = (batch: StoredMessage[]) => batch.map((stored) => stored.seq);

    /** Runs a consumer recording its batches; stopped after the test. */
    function recordBatches(name: string, fromSeq: number, maxBatch: number) {
      const batches: StoredMessage[][] = [];
      const subscription = log.consume({ name, fromSeq, maxBatch }, async (batch) => {
        batches.push(batch);
      });
      subscriptions.push(subscription);
      const seqs = () => batches.flatMap(seqsOf);
      return { batches, seqs, subscription };
    }

    it('numbers messages from 1 upwards, in append order', async () => {
      expect(await log.append(messages(1, 3))).toEqual([
        { seq: 1, duplicate: false },
        { seq: 2, duplicate: false },
        { seq: 3, duplicate: false },
      ]);
      expect(await log.append([message(4)])).toEqual([{ seq: 4, duplicate: false }]);
    });

    it('reports the head: 0 when empty, then the newest sequence', async () => {
      expect(await log.head()).toBe(0);
      await log.append(messages(1, 3));
      expect(await log.head()).toBe(3);
    });

    it('reads from any sequence, returning relative subjects and the bytes as appended', async () => {
      await log.append(messages(1, 5));
      const all = await log.read(1, 100);
      expect(all.map(({ seq, subject, data }) => ({ seq, subject, data: Buffer.from(data).toString() }))).toEqual(
        messages(1, 5).map((m, i) => ({ seq: i + 1, subject: m.subject, data: `payload ${i + 1}` })),
      );
      expect(seqsOf(await log.read(3, 2))).toEqual([3, 4]);
      expect(seqsOf(await log.read(5, 10))).toEqual([5]);
    });

    it('reads only the messages whose subject matches a filter, from any sequence', async () => {
      const on = (subject: string, n: number): LogMessage => ({ subject, id: `s-${n}`, data: text(`payload ${n}`) });
      await log.append([
        on('SnapshotScraped.a', 1),
        on('SnapshotScraped.b', 2),
        on('chunk.a', 3),
        on('ErrorResolved.a', 4),
        on('ErrorResolved.ab', 5),
        on('ErrorResolved.b', 6),
      ]);
      const subjectsOf = (batch: StoredMessage[]) => batch.map((stored) => `${stored.seq} ${stored.subject}`);
      expect(subjectsOf(await log.readSubject('*.a', 1, 100))).toEqual(['1 SnapshotScraped.a', '3 chunk.a', '4 ErrorResolved.a']);
      expect(subjectsOf(await log.readSubject('*.a', 2, 1))).toEqual(['3 chunk.a']);
      expect(subjectsOf(await log.readSubject('*.a', 5, 100))).toEqual([]);
      expect(subjectsOf(await log.readSubject('ErrorResolved.*', 1, 100))).toEqual(['4 ErrorResolved.a', '5 ErrorResolved.ab', '6 ErrorResolved.b']);
      expect(Buffer.from((await log.readSubject('*.b', 3, 1))[0]!.data).toString()).toBe('payload 6');
      expect(await log.readSubject('*.nobody', 1, 100)).toEqual([]);
    });

    it('reports the oldest sequence it holds: 0 when empty, then 1', async () => {
      expect(await log.oldest()).toBe(0);
      await log.append(messages(1, 3));
      expect(await log.oldest()).toBe(1);
    });

    it('reads nothing past the head', async () => {
      expect(await log.read(1, 10)).toEqual([]);
      await log.append(messages(1, 2));
      expect(await log.read(3, 10)).toEqual([]);
      expect(await log.read(100, 10)).toEqual([]);
    });

    it('drops a duplicate id within the window and returns the original sequence', async () => {
      await log.append(messages(1, 2));
      const again = await log.append([{ ...message(1), data: text('a retry') }, message(3)]);
      expect(again).toEqual([
        { seq: 1, duplicate: true },
        { seq: 3, duplicate: false },
      ]);
      const inOneCall = await log.append([message(4), message(4)]);
      expect(inOneCall).toEqual([
        { seq: 4, duplicate: false },
        { seq: 4, duplicate: true },
      ]);
      expect(await log.head()).toBe(4);
      expect(Buffer.from((await log.read(1, 1))[0]!.data).toString()).toBe('payload 1');
    });

    it('rejects a message larger than maxMessageBytes, naming its size and the limit, writing nothing', async () => {
      const tooBig = { subject: 'Test.big', id: 'big', data: new Uint8Array(log.maxMessageBytes + 1) };
      const attempt = log.append([message(1), tooBig]);
      await expect(attempt).rejects.toThrow(String(log.maxMessageBytes + 1));
      await expect(attempt).rejects.toThrow(String(log.maxMessageBytes));
      expect(await log.head()).toBe(0);
    });

    it('stores a message of exactly maxMessageBytes', async () => {
      const data = new Uint8Array(log.maxMessageBytes).fill(7);
      const longId = `largest-${'x'.repeat(200)}`;
      await log.append([{ subject: 'Test.largest-message-subject', id: longId, data }]);
      const [stored] = await log.read(1, 1);
      expect(stored?.data.byteLength).toBe(log.maxMessageBytes);
      expect(Buffer.from(stored!.data).equals(Buffer.from(data))).toBe(true);
    });

    it('delivers everything from fromSeq, in order, in batches of at most maxBatch', async () => {
      await log.append(messages(1, 10));
      const consumer = recordBatches('in-order', 4, 3);
      await waitFor(() => consumer.seqs().length >= 7, 10_000, 'seq 4..10');
      expect(consumer.seqs()).toEqual([4, 5, 6, 7, 8, 9, 10]);
      for (const batch of consumer.batches) expect(batch.length).toBeLessThanOrEqual(3);
      expect(consumer.batches[0]![0]!.subject).toBe('Test.svc-4');
    });

    it('stops growing a batch once it holds maxBatchBytes, still delivering everything in order', async () => {
      const sized = (n: number): LogMessage => ({ subject: `Test.svc-${n}`, id: `sized-${n}`, data: new Uint8Array(1_000).fill(n % 256) });
      await log.append(Array.from({ length: 300 }, (_, i) => sized(i + 1)));
      const batches: StoredMessage[][] = [];
      subscriptions.push(
        log.consume({ name: 'bounded', fromSeq: 1, maxBatch: 1_000, maxBatchBytes: 20_000 }, async (batch) => {
          batches.push(batch);
        }),
      );
      await waitFor(() => batches.flat().some((m) => m.seq === 300), 15_000, 'seq 300');
      expect(batches.flatMap(seqsOf)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
      // maxBatch alone would allow one batch; the byte bound splits it (each adapter passes
      // the bound by at most one read: here at most 50 messages).
      expect(batches.length).toBeGreaterThanOrEqual(300 / 70);
      for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(70);
    });

    it('keeps every message’s bytes while later batches arrive', async () => {
      // Sizes around a socket read's 64 KiB, each message's bytes its own: an adapter handing
      // out views of a buffer it reuses would show here as a changed message.
      const sizes = [10, 70_000, 300, 140_000, 65_536, 5, 200_000, 1_000];
      const appended = sizes.map((size, i): LogMessage => {
        const data = new Uint8Array(size);
        for (let b = 0; b < size; b++) data[b] = (b * 31 + i * 7) % 251;
        return { subject: `Test.svc-${i}`, id: `kept-${i}`, data };
      });
      const rounds = 4;
      for (let round = 0; round < rounds; round++) await log.append(appended.map((m) => ({ ...m, id: `${m.id}-${round}` })));
      const total = rounds * sizes.length;
      const consumer = recordBatches('kept-bytes', 1, 3);
      await waitFor(() => consumer.seqs().length >= total, 15_000, `seq ${total}`);
      const read = await log.read(1, total);
      const changed = (stored: StoredMessage[]) => stored.filter((m) => !Buffer.from(m.data).equals(appended[(m.seq - 1) % sizes.length]!.data)).map((m) => m.seq);
      expect({ consumed: changed(consumer.batches.flat()), read: changed(read) }).toEqual({ consumed: [], read: [] });
      expect(read).toHaveLength(total);
    });

    it('redelivers a batch whose handler threw, and delivers nothing after it meanwhile', async () => {
      const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        await log.append(messages(1, 6));
        const calls: number[][] = [];
        subscriptions.push(
          log.consume({ name: 'failing', fromSeq: 1, maxBatch: 3 }, async (batch) => {
            calls.push(seqsOf(batch));
            if (calls.length <= 2) throw new Error('projection failed');
          }),
        );
        await waitFor(() => calls.flat().includes(6), 15_000, 'seq 6 after the failures');
        expect(calls).toEqual([
          [1, 2, 3],
          [1, 2, 3],
          [1, 2, 3],
          [4, 5, 6],
        ]);
        expect(logged).toHaveBeenCalledWith(expect.stringContaining('failing'), expect.any(Error));
      } finally {
        logged.mockRestore();
      }
    });

    it('goes on while a batch commits later, and delivers it again, with the batches after it, when its commit fails', async () => {
      const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        await log.append(messages(1, 9));
        const calls: number[][] = [];
        let failFirstCommit!: (error: Error) => void;
        subscriptions.push(
          log.consume({ name: 'behind', fromSeq: 1, maxBatch: 3 }, async (batch) => {
            calls.push(seqsOf(batch));
            if (calls.length === 1) return { committed: new Promise<void>((_, reject) => (failFirstCommit = reject)) };
            // The second batch is delivered while the first is still committing; its own commit waits for it.
            if (calls.length === 2) setImmediate(() => failFirstCommit(new Error('write failed')));
            return { committed: Promise.resolve() };
          }),
        );
        // Once the failure is known, delivery starts again at the failed batch and runs in order
        // (a batch already being fetched may come first: the handler fails it or skips it).
        const again = () => calls.findIndex((c, i) => i > 0 && c[0] === 1);
        await waitFor(() => again() > 0 && calls.slice(again()).flat().includes(9), 15_000, 'seq 1 again, then up to 9');
        expect(calls.slice(0, 2)).toEqual([
          [1, 2, 3],
          [4, 5, 6],
        ]);
        expect(calls.slice(again()).flat()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      } finally {
        logged.mockRestore();
      }
    });

    it('resumes a restarted consumer at the caller’s fromSeq, even before where it got to', async () => {
      await log.append(messages(1, 6));
      const first = recordBatches('restarted', 1, 10);
      await waitFor(() => first.seqs().includes(6), 10_000, 'seq 6');
      await first.subscription.stop();

      const second = recordBatches('restarted', 3, 10);
      await waitFor(() => second.seqs().includes(6), 10_000, 'seq 6 again');
      expect(second.seqs()).toEqual([3, 4, 5, 6]);
    });

    it('resumes a restarted consumer at the caller’s fromSeq, even past where it got to', async () => {
      await log.append(messages(1, 2));
      const first = recordBatches('skipping', 1, 10);
      await waitFor(() => first.seqs().includes(2), 10_000, 'seq 2');
      await first.subscription.stop();
      await log.append(messages(3, 6));

      const second = recordBatches('skipping', 5, 10);
      await waitFor(() => second.seqs().includes(6), 10_000, 'seq 6');
      expect(second.seqs()).toEqual([5, 6]);
    });

    it('delivers messages appended after the consumer started', async () => {
      const consumer = recordBatches('live', 1, 10);
      await log.append(messages(1, 2));
      await waitFor(() => consumer.seqs().length === 2, 10_000, 'the first two');
      await log.append(messages(3, 3));
      await waitFor(() => consumer.seqs().length === 3, 10_000, 'the third');
      expect(consumer.seqs()).toEqual([1, 2, 3]);
    });

    it('gathers messages appended one by one for gatherMs into one batch', async () => {
      const batches: StoredMessage[][] = [];
      subscriptions.push(log.consume({ name: 'gathering', fromSeq: 1, maxBatch: 10, gatherMs: 2_000 }, async (batch) => void batches.push(batch)));
      await log.append([message(1)]);
      await waitFor(() => batches.length === 1, 10_000, 'the first');
      // Then idle; appends spaced out as a scrape round's are: the first wakes the consumer.
      for (let n = 2; n <= 5; n++) {
        await log.append([message(n)]);
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      await waitFor(() => batches.flat().length === 5, 10_000, 'all five');
      expect(batches.flatMap(seqsOf)).toEqual([1, 2, 3, 4, 5]);
      // One batch each without gathering; the second can be cut short only when it was read
      // ahead while the first was handled (JetStream's prefetch).
      expect(batches.slice(1).length).toBeLessThanOrEqual(2);
      expect(batches.at(-1)!.length).toBeGreaterThanOrEqual(3);
    });

    it('waits for the handler in flight when stopped', async () => {
      await log.append(messages(1, 1));
      let finished = false;
      let started = false;
      const subscription = log.consume({ name: 'slow', fromSeq: 1, maxBatch: 10 }, async () => {
        started = true;
        await new Promise((resolve) => setTimeout(resolve, 300));
        finished = true;
      });
      await waitFor(() => started, 10_000, 'the handler to start');
      await subscription.stop();
      expect(finished).toBe(true);
    });
  });
}
