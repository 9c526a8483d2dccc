import type { EventLog, Subscription } from '../src/events/event-log.js';
import { EventStore } from '../src/events/event-store.js';
import type { PeriskopEvent, RecordedEvent, SnapshotScrapedV1, SnapshotScrapedV2 } from '../src/events/events.js';
import type { AggregatedErrorPayload, ErrorOccurrence } from '../src/scraper/payload.types.js';
import { encodeServiceToken } from '../src/events/subject-token.js';
import { readableAsRead, readableRecorded } from './support/readable-events.js';
import { openTestEmbeddedLog, openTestJetStreamLog, type TestEventLog } from './support/test-event-logs.js';
import { waitFor } from './support/wait-for.js';

const AT = 1_700_000_000_000;

function occurrence(key: string, n: number, stackLines: number): ErrorOccurrence {
  return {
    error: {
      class: 'java.lang.IllegalStateException',
      message: `boom ${key} #${n} — ünïcödé ✓ 🚀`,
      stacktrace: Array.from(
        { length: stackLines },
        (_, line) => `at com.example.${key}.Service${line}.handle(Service${line}.java:${line + 1}) — frame ${n}.${line} ✓`,
      ),
      cause: { class: 'java.io.IOException', message: `cause of ${n}`, stacktrace: ['at java.io.Reader.read'], cause: null },
    },
    uuid: `${key}-${n}`,
    timestamp: AT + n,
    severity: 'error',
    http_context: {
      request_method: 'POST',
      request_url: `https://example.com/${key}/${n}`,
      request_headers: { 'content-type': 'application/json' },
      request_body: n % 2 === 0 ? null : `{"n":${n}}`,
    },
  };
}

function aggregatedError(key: string, occurrences: number, stackLines: number): AggregatedErrorPayload {
  return {
    aggregation_key: key,
    total_count: occurrences * 3,
    severity: 'warning',
    created_at: AT - 1000,
    latest_errors: Array.from({ length: occurrences }, (_, n) => occurrence(key, n, stackLines)),
  };
}

/** Over 5 MB of JSON: many errors with big stack traces, and one error that alone exceeds 1 MB. */
function hugeSnapshot(): SnapshotScrapedV1 {
  const oneHugeError = aggregatedError('huge', 60, 250);
  const manyErrors = Array.from({ length: 180 }, (_, i) => aggregatedError(`key-${i}`, 5, 60));
  return {
    type: 'SnapshotScraped',
    version: 1,
    service: 'big.service',
    at: AT,
    data: { target: 'http://10.0.0.1:8080/errors', target_uuid: 'uuid-1', source: 'scrape', aggregated_errors: [oneHugeError, ...manyErrors] },
  };
}

const everyEventType: PeriskopEvent[] = [
  {
    type: 'TargetsDiscovered',
    version: 1,
    service: 'my-svc',
    at: AT,
    data: { targets: [{ address: '10.0.0.1:8080', url: 'http://10.0.0.1:8080/errors', labels: { zone: 'a' } }] },
  },
  {
    type: 'SnapshotScraped',
    version: 1,
    service: 'team/api v2.*',
    at: AT + 1,
    data: { target: 'http://10.0.0.1:8080/errors', target_uuid: 'u-1', source: 'push', aggregated_errors: [aggregatedError('k', 2, 3)] },
  },
  {
    type: 'ScrapeFailed',
    version: 1,
    service: '',
    at: AT + 2,
    data: { target: 'http://10.0.0.2:8080/errors', reason: 'timeout', detail: 'no answer within 10 s' },
  },
  { type: 'ErrorResolved', version: 1, service: 'σύστημα >', at: AT + 3, data: { aggregation_key: 'k' } },
];

const adapters: [string, () => Promise<TestEventLog<EventLog>>][] = [
  ['embedded', () => openTestEmbeddedLog()],
  ['JetStream', openTestJetStreamLog],
];

describe.each(adapters)('event store on the %s log', (_label, open) => {
  let log: EventLog;
  let cleanup: () => Promise<void>;
  let store: EventStore;
  let subscriptions: Subscription[];

  beforeEach(async () => {
    ({ log, cleanup } = await open());
    store = new EventStore(log);
    subscriptions = [];
  });

  afterEach(async () => {
    await Promise.all(subscriptions.map((subscription) => subscription.stop()));
    await cleanup();
  });

  function consumeAll(name: string, fromSeq: number, maxBatch: number) {
    const calls: { events: RecordedEvent[]; throughSeq: number }[] = [];
    subscriptions.push(
      store.consume({ name, fromSeq, maxBatch }, async (events, throughSeq) => {
        calls.push({ events, throughSeq });
      }),
    );
    return calls;
  }

  it('round-trips every event type, on subjects named after type and service', async () => {
    const seqs = await store.publish(everyEventType.map((event, i) => ({ id: `event-${i}`, event })));
    expect(seqs).toEqual([1, 2, 3, 4]);
    expect(await store.head()).toBe(4);

    const { events, throughSeq } = await store.read(1, 100);
    expect(throughSeq).toBe(4);
    expect(events.map(readableRecorded)).toEqual(everyEventType.map((event, i) => ({ seq: i + 1, event: readableAsRead(event) })));

    const subjects = (await log.read(1, 100)).map((message) => message.subject);
    expect(subjects).toEqual(everyEventType.map((event) => `${event.type}.${encodeServiceToken(event.service)}`));
  });

  it('publishing the same ids again returns the original sequences and adds nothing', async () => {
    const items = [{ id: 'a', event: everyEventType[0]! }, { id: 'big', event: hugeSnapshot() }];
    const first = await store.publish(items);
    const head = await store.head();
    expect(await store.publish(items)).toEqual(first);
    expect(await store.head()).toBe(head);
  });

  it('splits a 5 MB snapshot into chunks and reads it back whole, via read() and consume()', async () => {
    const snapshot = hugeSnapshot();
    const json = JSON.stringify(snapshot);
    expect(Buffer.byteLength(json)).toBeGreaterThan(5_000_000);
    expect(Buffer.byteLength(JSON.stringify(snapshot.data.aggregated_errors[0]!.latest_errors))).toBeGreaterThan(1024 * 1024);

    const before = everyEventType[0]!;
    const after = everyEventType[3]!;
    const [beforeSeq, snapshotSeq, afterSeq] = await store.publish([
      { id: 'before', event: before },
      { id: 'snapshot', event: snapshot },
      { id: 'after', event: after },
    ]);
    const chunkCount = Math.ceil(store.encode({ id: 'size', event: snapshot }).data.byteLength / log.maxMessageBytes);
    expect([beforeSeq, snapshotSeq, afterSeq]).toEqual([1, 2 + chunkCount, 3 + chunkCount]);
    const expected = [
      { seq: beforeSeq, event: readableAsRead(before) },
      { seq: snapshotSeq, event: readableAsRead(snapshot) },
      { seq: afterSeq, event: readableAsRead(after) },
    ];

    expect((await store.read(1, 100)).events.map(readableRecorded)).toEqual(expected);

    // Small pages: the envelope's chunks are in earlier pages and are fetched by sequence.
    const paged: RecordedEvent[] = [];
    for (let seq = 1; seq <= afterSeq!; ) {
      const { events, throughSeq } = await store.read(seq, 2);
      paged.push(...events);
      seq = throughSeq + 1;
    }
    expect(paged.map(readableRecorded)).toEqual(expected);

    const calls = consumeAll('projector', 1, 3);
    await waitFor(() => calls.at(-1)?.throughSeq === afterSeq, 15_000, 'the consumer to reach the last event');
    expect(calls.flatMap((call) => call.events).map(readableRecorded)).toEqual(expected);
  });

  it("reads one service's events, a split one whole, and nothing of the others", async () => {
    const snapshot = hugeSnapshot();
    const other = everyEventType[0]!;
    const resolved: PeriskopEvent = { type: 'ErrorResolved', version: 1, service: snapshot.service, at: AT + 5, data: { aggregation_key: 'huge' } };
    const [, snapshotSeq, , resolvedSeq] = await store.publish([
      { id: 'other-1', event: other },
      { id: 'snapshot', event: snapshot },
      { id: 'other-2', event: { ...other, at: AT + 4 } },
      { id: 'resolved', event: resolved },
    ]);
    const all = await store.readService(snapshot.service, 1, 1000);
    expect(all.events.map(readableRecorded)).toEqual([
      { seq: snapshotSeq, event: readableAsRead(snapshot) },
      { seq: resolvedSeq, event: readableAsRead(resolved) },
    ]);
    expect(all.throughSeq).toBe(resolvedSeq);
    // Pages of one message: the chunks come first, the event at its envelope.
    const first = await store.readService(snapshot.service, snapshotSeq!, 1);
    expect({ ...first, events: first.events.map(readableRecorded) }).toEqual({ events: [{ seq: snapshotSeq, event: readableAsRead(snapshot) }], throughSeq: snapshotSeq });
    expect(await store.readService(snapshot.service, resolvedSeq! + 1, 10)).toEqual({ events: [], throughSeq: resolvedSeq });
    expect((await store.readService('nobody', 1, 10)).events).toEqual([]);
  });

  it('hands an undecoded consumer each event in turn with its size in the log, a split one whole', async () => {
    const snapshot = hugeSnapshot();
    const [first, , last] = everyEventType;
    const [firstSeq, snapshotSeq, lastSeq] = await store.publish([
      { id: 'first', event: first! },
      { id: 'snapshot', event: snapshot },
      { id: 'last', event: last! },
    ]);
    const taken: { seq: number; event: PeriskopEvent; bytes: number }[] = [];
    const log: string[] = [];
    let through = 0;
    subscriptions.push(
      store.consumeUndecoded({ name: 'undecoded', fromSeq: 1, maxBatch: 1_000 }, async (batch) => {
        await batch.eachEvent(async ({ seq, event }, bytes) => {
          log.push(`take ${seq}`);
          // The next event is decoded only once this one is taken.
          await new Promise((resolve) => setTimeout(resolve, 5));
          log.push(`taken ${seq}`);
          taken.push({ seq, event, bytes });
        });
        through = batch.throughSeq;
      }),
    );
    await waitFor(() => through === lastSeq, 15_000, 'the consumer to reach the last event');

    expect(taken.map(readableRecorded)).toEqual([
      { seq: firstSeq, event: readableAsRead(first) },
      { seq: snapshotSeq, event: readableAsRead(snapshot) },
      { seq: lastSeq, event: readableAsRead(last) },
    ]);
    expect(taken.map((t) => t.bytes)).toEqual([first!, snapshot, last!].map((event) => store.encode({ id: 'size', event }).data.byteLength));
    expect(log).toEqual(taken.flatMap(({ seq }) => [`take ${seq}`, `taken ${seq}`]));
  });

  it('advances throughSeq over batches holding only chunks', async () => {
    const snapshot = hugeSnapshot();
    const [snapshotSeq] = await store.publish([{ id: 'snapshot', event: snapshot }]);

    expect(await store.read(1, 2)).toEqual({ events: [], throughSeq: 2 });
    expect(await store.read(snapshotSeq! + 1, 10)).toEqual({ events: [], throughSeq: snapshotSeq });

    const calls = consumeAll('one-at-a-time', 1, 1);
    await waitFor(() => calls.length === snapshotSeq, 15_000, 'one call per message');
    expect(calls.map((call) => call.throughSeq)).toEqual(Array.from({ length: snapshotSeq! }, (_, i) => i + 1));
    expect(calls.slice(0, -1).every((call) => call.events.length === 0)).toBe(true);
    expect(calls.at(-1)!.events.map(readableRecorded)).toEqual([{ seq: snapshotSeq, event: readableAsRead(snapshot) }]);
  });
});

describe('event store decoding', () => {
  let opened: TestEventLog<EventLog>;

  beforeEach(async () => {
    opened = await openTestEmbeddedLog();
  });

  afterEach(async () => {
    await opened.cleanup();
  });

  const valid = { type: 'ErrorResolved', version: 1, service: 's', at: AT, data: { aggregation_key: 'k' } };
  const snapshotOfVersion1: SnapshotScrapedV1 = {
    type: 'SnapshotScraped',
    version: 1,
    service: 's',
    at: AT,
    data: { target: 'http://t/errors', target_uuid: 't', source: 'scrape', aggregated_errors: [aggregatedError('k', 2, 3)] },
  };

  it('publishes a snapshot as version 2, each occurrence as the text version 1 would carry, and still reads version 1 that an older log holds', async () => {
    const store = new EventStore(opened.log);
    await store.publish([{ id: 'new', event: snapshotOfVersion1 }]);
    await opened.log.append([{ subject: 'SnapshotScraped.s', id: 'old', data: new TextEncoder().encode(JSON.stringify(snapshotOfVersion1)) }]);
    const [logged, old] = (await store.read(1, 10)).events.map((r) => r.event);
    expect(old).toEqual(snapshotOfVersion1);
    expect(logged).toMatchObject({ type: 'SnapshotScraped', version: 2 });
    const occurrences = (logged as SnapshotScrapedV2).data.aggregated_errors[0]!.latest_errors;
    expect(occurrences.map((o) => [o.uuid, o.timestamp, JSON.parse(Buffer.from(o.json).toString('utf8'))])).toEqual(
      snapshotOfVersion1.data.aggregated_errors[0]!.latest_errors.map((o) => [o.uuid, o.timestamp, o]),
    );
  });

  /** A version 2 message: the envelope as JSON, then (unless null) a newline and the trailer. */
  const version2 = (latestErrors: unknown[], trailer: string | null): string =>
    JSON.stringify({ type: 'SnapshotScraped', version: 2, service: 's', at: AT, data: { ...snapshotOfVersion1.data, aggregated_errors: [{ aggregation_key: 'k', total_count: 1, severity: 'error', created_at: null, latest_errors: latestErrors }] } }) +
    (trailer === null ? '' : `\n${trailer}`);

  it.each([
    ['not JSON', '{oops', /seq 2 is not UTF-8 JSON/],
    ['not an object', '[1,2]', /seq 2 is invalid: not a JSON object/],
    ['an unknown type', JSON.stringify({ ...valid, type: 'ErrorForgotten' }), /seq 2 is invalid: unknown type "ErrorForgotten"/],
    ['an unknown version', JSON.stringify({ ...valid, version: 2 }), /seq 2 is invalid: unsupported version 2/],
    ['a service that is not a string', JSON.stringify({ ...valid, service: 7 }), /seq 2 is invalid: service/],
    ['an at that is not a number', JSON.stringify({ ...valid, at: '2024-01-01' }), /seq 2 is invalid: at/],
    ['data that is not an object', JSON.stringify({ ...valid, data: [] }), /seq 2 is invalid: data/],
    ['a chunk list pointing at nothing', JSON.stringify({ chunked: [99], bytes: 10 }), /seq 2: its chunk at seq 99 is missing/],
    ['a version 2 snapshot whose occurrence has no byte count', version2([{ uuid: 'u', timestamp: 1 }], '{}'), /seq 2 is invalid: data\.aggregated_errors\[0\]\.latest_errors\[0\] is not \{uuid, timestamp, bytes\}/],
    ['a version 2 snapshot cut short', version2([{ uuid: 'u', timestamp: 1, bytes: 10 }], '{"a":1}'), /seq 2 is invalid: data\.aggregated_errors\[0\]\.latest_errors\[0\] ends at byte 10 of the occurrences, 7 follow the envelope/],
    ['a version 2 snapshot with bytes no occurrence takes', version2([{ uuid: 'u', timestamp: 1, bytes: 2 }], '{}{}'), /seq 2 is invalid: the occurrences' texts take 2 bytes, 4 follow the envelope/],
    ['a version 2 snapshot without its newline', version2([], null), /seq 2 is invalid: no occurrence bytes follow the envelope/],
    ['a version 3 snapshot', JSON.stringify({ type: 'SnapshotScraped', version: 3, service: 's', at: AT, data: snapshotOfVersion1.data }), /seq 2 is invalid: unsupported version 3 of SnapshotScraped/],
  ])('rejects an envelope with %s, naming its sequence', async (_what, data, message) => {
    const store = new EventStore(opened.log);
    await store.publish([{ id: 'fine', event: valid as PeriskopEvent }]);
    await opened.log.append([{ subject: 'ErrorResolved.s', id: 'garbage', data: new TextEncoder().encode(data) }]);
    await expect(store.read(1, 10)).rejects.toThrow(message);
  });
});
