import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { PeriskopEvent } from '../src/events/events.js';
import { EventStore } from '../src/events/event-store.js';
import type { JetStreamEventLog } from '../src/events/jetstream-event-log.js';
import { DirectorySnapshotStore } from '../src/history/directory-snapshot-store.js';
import { HistoryGone } from '../src/history/history-gone.js';
import { dumpReadModel, encodeSnapshot } from '../src/history/read-model-snapshot.js';
import { TimeTravel } from '../src/history/time-travel.js';
import { Projector } from '../src/projector/projector.js';
import { ProjectionStore } from '../src/read-model/projection-store.js';
import { ReadModelDatabase } from '../src/read-model/read-model-database.js';
import { NATS_URL, openTestJetStreamLog, temporaryDir, type TestEventLog } from './support/test-event-logs.js';

// Time travel when stream retention has dropped old messages: answered from a snapshot that
// covers them, refused (HistoryGone) when none does, never answered from half the history.

const AT = 1_700_000_000_000;
const totalAt = (total: number, at: number): PeriskopEvent => ({
  type: 'SnapshotScraped',
  version: 1,
  service: 'svc',
  at,
  data: {
    target: 'http://a:1/errors',
    target_uuid: 'a',
    source: 'push',
    aggregated_errors: [{ aggregation_key: 'E@1', total_count: total, severity: 'error', created_at: null, latest_errors: [] }],
  },
});

describe('time travel on a stream with retention', () => {
  let events: TestEventLog<JetStreamEventLog> & { stream: string };
  let dir: { dir: string; remove: () => Promise<void> };

  beforeEach(async () => {
    events = await openTestJetStreamLog();
    dir = await temporaryDir();
  });

  afterEach(async () => {
    await events.cleanup();
    await dir.remove();
  });

  it('answers from a snapshot covering the dropped messages, and refuses without one', async () => {
    const store = new EventStore(events.log);
    await store.publish([1, 2, 3, 4].map((n) => ({ id: randomUUID(), event: totalAt(n, AT + n * 1_000) })));
    // A snapshot through seq 2, as the server takes them.
    const db = await ReadModelDatabase.create({ type: 'memory' });
    await db.ready();
    const projector = new Projector(store, new ProjectionStore(db));
    const first = await store.read(1, 2);
    await projector.applyBatch(first.events, first.throughSeq);
    const snapshots = new DirectorySnapshotStore(dir.dir);
    await snapshots.put(2, AT + 2_000, encodeSnapshot({ ...(await dumpReadModel(db)), at: AT + 2_000 }));
    await db.close();

    const nc = await connect({ servers: NATS_URL });
    try {
      await (await jetstreamManager(nc)).streams.purge(events.stream, { keep: 2 });
    } finally {
      await nc.close();
    }
    expect(await store.oldest()).toBe(3);

    const travel = new TimeTravel(store, snapshots);
    const totalOf = async (at: number) => (await travel.openErrorsAt('svc', at)).answer?.map((row) => row.totalCount);
    expect(await totalOf(AT + 3_500)).toEqual([3]);
    expect(await totalOf(AT + 9_000)).toEqual([4]);
    await expect(travel.openErrorsAt('svc', AT + 1_500)).rejects.toThrow(HistoryGone);
    await expect(new TimeTravel(store, null).openErrorsAt('svc', AT + 9_000)).rejects.toThrow(
      'the state of svc at 2023-11-14T22:13:29.000Z needs the event log from sequence 1, but it starts at 3 now',
    );
  });
});
