import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { JetStreamEventLog } from '../src/events/jetstream-event-log.js';
import { describeEventLogContract } from './event-log.contract.js';
import { deleteStream, NATS_URL, openTestJetStreamLog, uniqueStreamNames } from './support/test-event-logs.js';
import { waitFor } from './support/wait-for.js';

describeEventLogContract('JetStream', openTestJetStreamLog);

describe('JetStream event log', () => {
  it('creates the stream with the configured limits and updates it when they change', async () => {
    const names = uniqueStreamNames();
    const nc = await connect({ servers: NATS_URL });
    try {
      const jsm = await jetstreamManager(nc);
      const created = await JetStreamEventLog.connect({ url: NATS_URL, ...names, maxAgeMs: 3_600_000, duplicateWindowMs: 60_000 });
      await created.close();
      expect((await jsm.streams.info(names.stream)).config).toMatchObject({
        subjects: [`${names.subjectPrefix}.>`],
        storage: 'file',
        retention: 'limits',
        max_age: 3_600_000 * 1e6,
        duplicate_window: 60_000 * 1e6,
        num_replicas: 1,
      });

      const updated = await JetStreamEventLog.connect({ url: NATS_URL, ...names, maxBytes: 10_000_000 });
      await updated.close();
      expect((await jsm.streams.info(names.stream)).config).toMatchObject({
        max_bytes: 10_000_000,
        max_age: 0,
        duplicate_window: 120_000 * 1e6,
      });
    } finally {
      await nc.close();
      await deleteStream(names.stream);
    }
  });

  it('recreates a durable consumer made for smaller batches, so a bigger fetch is not held open', async () => {
    const { log, stream, cleanup } = await openTestJetStreamLog();
    const nc = await connect({ servers: NATS_URL });
    try {
      await log.append(Array.from({ length: 3 }, (_, i) => ({ subject: `Test.s${i}`, id: `m${i}`, data: new Uint8Array([i]) })));
      const seen: number[] = [];
      const small = log.consume({ name: 'resized', fromSeq: 1, maxBatch: 1 }, async (batch) => {
        seen.push(...batch.map((m) => m.seq));
      });
      await waitFor(() => seen.includes(3), 10_000, 'seq 3');
      await small.stop();
      const jsm = await jetstreamManager(nc);
      expect((await jsm.consumers.info(stream, 'resized')).config.max_ack_pending).toBe(1_000);

      await log.append([{ subject: 'Test.s3', id: 'm3', data: new Uint8Array([3]) }]);
      const big = log.consume({ name: 'resized', fromSeq: 4, maxBatch: 5_000 }, async (batch) => {
        seen.push(...batch.map((m) => m.seq));
      });
      try {
        await waitFor(() => seen.includes(4), 10_000, 'seq 4');
        // Three batches of 5,000 may be unacknowledged: one committing behind, one handled, one prefetched.
        expect((await jsm.consumers.info(stream, "resized")).config.max_ack_pending).toBe(15_000);
      } finally {
        await big.stop();
      }
    } finally {
      await nc.close();
      await cleanup();
    }
  });

  it('writes under the subject prefix and hands back relative subjects', async () => {
    const { log, stream, cleanup } = await openTestJetStreamLog();
    const nc = await connect({ servers: NATS_URL });
    try {
      await log.append([{ subject: 'SnapshotScraped.my-svc', id: 'one', data: new Uint8Array([1]) }]);
      const stored = await (await jetstreamManager(nc)).streams.getMessage(stream, { seq: 1 });
      expect(stored?.subject).toMatch(/^ptest[0-9a-f]+\.SnapshotScraped\.my-svc$/);
      expect((await log.read(1, 1))[0]?.subject).toBe('SnapshotScraped.my-svc');
    } finally {
      await nc.close();
      await cleanup();
    }
  });

  it('reports as oldest the first message retention left', async () => {
    const { log, stream, cleanup } = await openTestJetStreamLog();
    const nc = await connect({ servers: NATS_URL });
    try {
      await log.append([1, 2, 3].map((n) => ({ subject: `Test.s${n}`, id: `m${n}`, data: new Uint8Array([n]) })));
      await (await jetstreamManager(nc)).streams.purge(stream, { keep: 1 });
      expect(await log.oldest()).toBe(3);
      expect(await log.head()).toBe(3);
    } finally {
      await nc.close();
      await cleanup();
    }
  });

  it('takes its message limit from the server max_payload, less room for headers', async () => {
    const { log, cleanup } = await openTestJetStreamLog();
    const nc = await connect({ servers: NATS_URL });
    try {
      expect(log.maxMessageBytes).toBe(nc.info!.max_payload - 4096);
    } finally {
      await nc.close();
      await cleanup();
    }
  });

  it('rejects a subject prefix that is not plain tokens', async () => {
    await expect(JetStreamEventLog.connect({ url: NATS_URL, stream: 'PERISKOP_TEST_BAD', subjectPrefix: 'a.>' })).rejects.toThrow(
      /subject prefix/,
    );
  });
});
