import type { Subscription } from '../src/events/event-log.js';
import { EventStore } from '../src/events/event-store.js';
import type { PeriskopEvent, RecordedEvent } from '../src/events/events.js';
import { partitionFilter, partitionOf } from '../src/events/partition.js';
import { encodeServiceToken } from '../src/events/subject-token.js';
import { readableAsRead, readableRecorded } from './support/readable-events.js';
import type { JetStreamEventLog } from '../src/events/jetstream-event-log.js';
import { openTestJetStreamLog, type TestEventLog } from './support/test-event-logs.js';
import { waitFor } from './support/wait-for.js';

// A stream of P partitions on the real JetStream: subjects carry the partition token, each
// partition's durable consumer gets exactly its services' events, in order (gaps between
// sequences), big events reassembled from chunks on the partition's own subjects.

const PARTITIONS = 3;
const SERVICES = ['checkout', 'api.payments v2', 'search *>', 'ui', 'auth', 'σύστημα'];

function resolved(service: string, key: string): PeriskopEvent {
  return { type: 'ErrorResolved', version: 1, service, at: 1, data: { aggregation_key: key } };
}

/** Over 2 MB: split into chunks by the store. */
function bigSnapshot(service: string): PeriskopEvent {
  return {
    type: 'SnapshotScraped',
    version: 1,
    service,
    at: 2,
    data: {
      target: 'http://a:1/errors',
      target_uuid: 'a',
      source: 'scrape',
      aggregated_errors: [
        {
          aggregation_key: 'Big@x',
          total_count: 1,
          severity: 'error',
          created_at: null,
          latest_errors: [
            {
              error: { class: 'Big', message: 'x', stacktrace: Array.from({ length: 20_000 }, (_, i) => `at frame ${i} ${'-'.repeat(90)}`), cause: null },
              uuid: 'big',
              timestamp: 1,
              severity: 'error',
              http_context: null,
            },
          ],
        },
      ],
    },
  };
}

describe('a partitioned stream on JetStream', () => {
  let test: TestEventLog<JetStreamEventLog>;
  let store: EventStore;
  const subscriptions: Subscription[] = [];

  beforeEach(async () => {
    test = await openTestJetStreamLog();
    store = new EventStore(test.log, {}, PARTITIONS);
  });

  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((s) => s.stop()));
    await test.cleanup();
  });

  it('delivers each partition exactly its services, in order, chunks reassembled', async () => {
    const events = [
      ...SERVICES.map((service, i) => resolved(service, `k${i}`)),
      bigSnapshot('checkout'),
      ...SERVICES.map((service, i) => resolved(service, `again${i}`)),
    ];
    const seqs = await store.publish(events.map((event, i) => ({ id: `e${i}`, event })));

    const subjects = (await test.log.read(1, 1_000)).filter((m) => !m.subject.includes('chunk.')).map((m) => m.subject);
    expect(subjects).toEqual(events.map((e) => `p${partitionOf(e.service, PARTITIONS)}.${e.type}.${encodeServiceToken(e.service)}`));

    const received: RecordedEvent[][] = Array.from({ length: PARTITIONS }, () => []);
    for (let k = 0; k < PARTITIONS; k++) {
      subscriptions.push(
        store.consume({ name: `partition-test-${k}`, fromSeq: 1, maxBatch: 4, filterSubject: partitionFilter(k, PARTITIONS) }, async (batch) => {
          received[k]!.push(...batch);
        }),
      );
    }
    await waitFor(() => received.flat().length === events.length, 15_000, 'every event in its partition');

    for (let k = 0; k < PARTITIONS; k++) {
      const expected = events.map((event, i) => ({ seq: seqs[i]!, event })).filter((r) => partitionOf(r.event.service, PARTITIONS) === k);
      expect(expected.length).toBeGreaterThan(0);
      expect(received[k]!.map(readableRecorded)).toEqual(expected.map(({ seq, event }) => ({ seq, event: readableAsRead(event) })));
    }
    // The whole log still reads back in order (a full replay).
    expect((await store.read(1, 1_000)).events.map(readableRecorded)).toEqual(events.map((event, i) => ({ seq: seqs[i]!, event: readableAsRead(event) })));
  });
});
