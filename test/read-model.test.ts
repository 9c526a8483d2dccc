import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { goErrorAggregate } from '../src/api/go-response.js';
import { parseConfig } from '../src/config/index.js';
import type { PeriskopEvent } from '../src/events/events.js';
import { EventStore } from '../src/events/event-store.js';
import { LIVE_FOLD_SLICE, Projector } from '../src/projector/projector.js';
import { LATEST_ERRORS_CAP } from '../src/projector/aggregate-rules.js';
import { DEFAULT_PROJECTION_OPTIONS } from '../src/projector/projection-options.js';
import { PROJECTOR_CHECKPOINT, ProjectionStore } from '../src/read-model/projection-store.js';
import { ReadModelDatabase } from '../src/read-model/read-model-database.js';
import { ReadModelQueries } from '../src/read-model/read-model-queries.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from './support/test-databases.js';
import { openTestEmbeddedLog, type TestEventLog } from './support/test-event-logs.js';
import { snapshot } from './support/scraped-snapshot.js';
import type { EmbeddedEventLog } from '../src/events/embedded-event-log.js';

// The read model on each database: SQLite, PostgreSQL and MariaDB, each test with a database
// of its own. Same events in, same API answers out.

const longKey = `com.example.VeryLong${'X'.repeat(1000)}@deadbeef`;
const hugeStack = Array.from({ length: 20_000 }, (_, i) => `at frame${i} (/srv/app/src/module${i % 97}.ts:${i}:${i % 80}) ünïcödé ✓`);

const EVENTS: PeriskopEvent[] = [
  { type: 'TargetsDiscovered', version: 1, service: 'svc.one', at: 1, data: { targets: [{ address: 'a:1', url: 'http://a:1/errors', labels: { zone: 'eu' } }] } },
  snapshot('svc.one', 'a', 'E@1', 3, [{ uuid: 'u1', at: 1_000 }, { uuid: 'u2', at: 2_000 }]),
  snapshot('svc.one', 'b', 'E@1', 2, [{ uuid: 'u3', at: 3_000 }]),
  snapshot('svc.one', 'a', 'E@1', 1, [{ uuid: 'u4', at: 4_000 }]),
  snapshot('svc.one', 'a', longKey, 1, [{ uuid: 'big', at: 5_000, stack: hugeStack }]),
  snapshot('svc two/with slash', 'c', 'E@2', 7, [{ uuid: 'u5', at: 6_000 }]),
  { type: 'ErrorResolved', version: 1, service: 'svc two/with slash', at: 7, data: { aggregation_key: 'E@2' } },
  { type: 'ScrapeFailed', version: 1, service: 'svc.one', at: 8, data: { target: 'http://a:1/errors', reason: 'timeout', detail: 'no answer in 10 s' } },
];

async function answers(db: ReadModelDatabase) {
  const queries = new ReadModelQueries(db);
  const services = await queries.services();
  const errors: Record<string, unknown> = {};
  for (const service of services) errors[service] = (await queries.openErrors(service)).map(goErrorAggregate);
  const targets = (await queries.targets()).map((t) => ({ service: t.service, url: t.url, labels: t.labels, status: t.status, reason: t.lastErrorReason }));
  return { services, errors, targets };
}

describe.each(DATABASE_KINDS)('read model on %s', (kind) => {
  let database: TestDatabase;
  let events: TestEventLog<EmbeddedEventLog>;
  let db: ReadModelDatabase;

  beforeEach(async () => {
    database = await createTestDatabase(kind);
    events = await openTestEmbeddedLog({ maxMessageBytes: 512 * 1024 });
    const config = parseConfig({ repository: database.section, services: [] }, 'test.yaml');
    db = await ReadModelDatabase.create(config.repository);
    await db.ready();
  });

  afterEach(async () => {
    await db.close();
    await events.cleanup();
    await database.drop();
  });

  it('migrates an empty database, and a migrated one again without change', async () => {
    const config = parseConfig({ repository: database.section, services: [] }, 'test.yaml');
    const again = await ReadModelDatabase.create(config.repository);
    await again.ready();
    expect(await again.isReachable()).toBe(true);
    await again.close();
  });

  // knex printed "Transaction was implicitly committed" (MySQL, knex#805) for each DDL statement.
  it('migrates a new database without writing to the console', async () => {
    const fresh = await createTestDatabase(kind);
    const printed = [jest.spyOn(console, 'log'), jest.spyOn(console, 'warn'), jest.spyOn(console, 'error')];
    try {
      const migrated = await ReadModelDatabase.create(parseConfig({ repository: fresh.section, services: [] }, 'test.yaml').repository);
      await migrated.ready();
      await migrated.close();
      expect(printed.flatMap((spy) => spy.mock.calls)).toEqual([]);
    } finally {
      for (const spy of printed) spy.mockRestore();
      await fresh.drop();
    }
  });

  it('projects the events into the answers the API serves', async () => {
    const store = new EventStore(events.log);
    await store.publish(EVENTS.map((event) => ({ id: randomUUID(), event })));
    const projector = new Projector(store, new ProjectionStore(db));
    await projector.replay();

    const { services, errors, targets } = await answers(db);
    expect(services).toEqual(['svc two/with slash', 'svc.one']);
    expect(errors['svc two/with slash']).toEqual([]);
    const one = errors['svc.one'] as ReturnType<typeof goErrorAggregate>[];
    expect(one.map((e) => [e.aggregation_key, e.total_count])).toEqual([
      [longKey, 1],
      ['E@1', 6],
    ]);
    expect(one[0]!.latest_errors[0]!.error.stacktrace).toEqual(hugeStack);
    expect(one[1]!.latest_errors.map((o) => o.uuid)).toEqual(['u4', 'u3', 'u2', 'u1']);
    expect(one[1]!.latest_errors[0]).toMatchObject({
      error: { message: 'naïve — “quoted” \u0000 nul', cause: { class: 'Cause' } },
      http_context: { request_headers: { 'X-Trace': 'abc' }, request_body: '{"a":1}' },
    });
    expect(targets).toEqual([{ service: 'svc.one', url: 'http://a:1/errors', labels: { zone: 'eu' }, status: 'down', reason: 'timeout' }]);
    expect(await new ProjectionStore(db).checkpoint()).toBe(await store.head());
  });

  it('answers the same after a replay as after live projection', async () => {
    const store = new EventStore(events.log);
    const projector = new Projector(store, new ProjectionStore(db));
    await projector.start();
    for (const event of EVENTS) await store.publish([{ id: randomUUID(), event }]);
    await projector.waitFor(await store.head());
    await projector.stop();
    const live = await answers(db);

    await new Projector(store, new ProjectionStore(db)).replay();
    expect(await answers(db)).toEqual(live);
  });

  const options = { ...DEFAULT_PROJECTION_OPTIONS, breakdownLabels: new Map([['svc.one', ['zone']]]) };
  const services = ['svc.one', 'svc two/with slash'];
  /** Events touching more records than tiny caches hold, so records are dropped and read back. */
  const droppingHistory = (): PeriskopEvent[] => [
    {
      type: 'TargetsDiscovered',
      version: 1,
      service: 'svc.one',
      at: 1,
      data: { targets: ['a', 'b'].map((t) => ({ address: `${t}:7777`, url: `http://${t}:7777/errors`, labels: { zone: t === 'a' ? 'eu' : 'us' } })) },
    },
    ...Array.from({ length: 24 }, (_, i): PeriskopEvent => ({
      ...snapshot(services[i % 2]!, i % 4 < 2 ? 'a' : 'b', `E@${i % 3}`, i + 1, [{ uuid: `u${i}`, at: 1_000 * i }]),
      // Every other event in a new minute, so bucket records are dropped and read back too.
      at: 1_700_000_000_000 + Math.floor(i / 2) * 60_000,
    })),
    { type: 'ErrorResolved', version: 1, service: 'svc.one', at: 9, data: { aggregation_key: 'E@0' } },
    snapshot('svc.one', 'a', 'E@0', 100, [{ uuid: 'late', at: 500 }]),
    EVENTS[7]!,
  ];
  /** Everything the API reads of the dropping history's records. */
  const everything = async () => {
    const queries = new ReadModelQueries(db);
    return {
      ...(await answers(db)),
      // breakdownsOf leaves the order of equal counts to the database.
      breakdown: (await queries.breakdownsOf('zone')).sort((x, y) => x.aggregationKey.localeCompare(y.aggregationKey) || x.value.localeCompare(y.value)),
      minutes: await Promise.all(services.flatMap((s) => ['E@0', 'E@1', 'E@2'].map((k) => queries.occurrences(s, k, '1m', 0, Number.MAX_SAFE_INTEGER)))),
    };
  };
  const tiny = { aggregates: 1, targetTotals: 1, targetLists: 1, buckets: 1, breakdownErrors: 1, knownDroppedIds: 1 };

  it('rebuilds the same read model as live projection when it drops records from its caches and reads them back', async () => {
    const store = new EventStore(events.log);
    const history = droppingHistory();
    const projector = new Projector(store, new ProjectionStore(db), options);
    await projector.start();
    for (const event of history) await store.publish([{ id: randomUUID(), event }]);
    await projector.waitFor(await store.head());
    await projector.stop();
    const live = await everything();
    expect(live.minutes.flat().length).toBeGreaterThan(6);
    expect(live.breakdown.map((c) => c.value).sort()).toEqual(['eu', 'eu', 'eu', 'us', 'us', 'us']);

    const sizes = { readEvents: 2, foldSlice: 2, commitAggregates: 1, commitRecords: 2 };
    await new Projector(store, new ProjectionStore(db, PROJECTOR_CHECKPOINT, tiny), options, undefined, sizes).replay();
    expect(await everything()).toEqual(live);
    await new Projector(store, new ProjectionStore(db), options).replay();
    expect(await everything()).toEqual(live);
  });

  it('asks nothing of an empty read model it starts on from checkpoint 0, and projects the same as a replay', async () => {
    const store = new EventStore(events.log);
    await store.publish(droppingHistory().map((event) => ({ id: randomUUID(), event })));
    const head = await store.head();
    const reads: string[] = [];
    db.fork()
      .getKnex()
      .on('query', ({ sql }: { sql: string }) => {
        if (/^select/i.test(sql) && !/"?checkpoint"?/.test(sql)) reads.push(sql);
      });
    const project = async (store: EventStore, projectionStore: ProjectionStore) => {
      const projector = new Projector(store, projectionStore, options);
      await projector.start();
      await projector.waitFor(head);
      await projector.stop();
    };

    // Only the check that every table is empty reads the database.
    await project(store, new ProjectionStore(db));
    const tables = reads.length;
    expect(tables).toBe(7);
    await new Projector(store, new ProjectionStore(db), options).replay();
    const replayed = await everything();

    // Event by event with caches that drop every record: the knowledge gives up after one
    // dropped id, and the records read back from then on come from the database.
    await db.clear();
    reads.length = 0;
    const dropping = new ProjectionStore(db, PROJECTOR_CHECKPOINT, tiny);
    expect(await dropping.knowEmpty()).toBe(true);
    const oneByOne = new Projector(store, dropping, options);
    for (const recorded of (await store.read(1, 1_000)).events) await oneByOne.applyBatch([recorded], recorded.seq);
    expect(reads.length).toBeGreaterThan(tables);
    expect(await everything()).toEqual(replayed);

    // A read model holding rows is not taken for empty at checkpoint 0.
    const leftOver = new ProjectionStore(db, 'another-projector');
    expect(await leftOver.checkpoint()).toBe(0);
    expect(await leftOver.knowEmpty()).toBe(false);
  });

  it('folds a live batch of more events than a slice in one commit, each slice seeing the ones before it', async () => {
    const store = new EventStore(events.log);
    const count = 2 * LIVE_FOLD_SLICE.events + 50;
    // Every event a new total of the same key on the same target: a slice that read its records
    // from the database rather than from the slices before it would count the deltas wrong.
    const snapshots = Array.from({ length: count }, (_, i) => snapshot('svc.one', 'a', 'E@1', i + 1, [{ uuid: `o${i}`, at: 1_000 + i }]));
    await store.publish(snapshots.map((event) => ({ id: randomUUID(), event })));
    const projector = new Projector(store, new ProjectionStore(db));
    const batches: number[] = [];
    projector.onBatchApplied((batch) => batches.push(batch.events));
    await projector.start();
    await projector.waitFor(await store.head());
    await projector.stop();

    expect(batches.reduce((sum, events) => sum + events, 0)).toBe(count);
    expect(Math.max(...batches)).toBeGreaterThan(LIVE_FOLD_SLICE.events);
    const [error] = (await answers(db)).errors['svc.one'] as ReturnType<typeof goErrorAggregate>[];
    expect(error!.total_count).toBe(count);
    expect(error!.latest_errors.map((o) => o.uuid).slice(0, 3)).toEqual([`o${count - 1}`, `o${count - 2}`, `o${count - 3}`]);
    expect(error!.latest_errors).toHaveLength(LATEST_ERRORS_CAP);
  });

  it('skips a batch it has already applied', async () => {
    const store = new EventStore(events.log);
    await store.publish(EVENTS.map((event) => ({ id: randomUUID(), event })));
    const projector = new Projector(store, new ProjectionStore(db));
    await projector.replay();
    const before = await answers(db);
    const { events: batch, throughSeq } = await store.read(1, 100);
    await projector.applyBatch(batch, throughSeq);
    expect(await answers(db)).toEqual(before);

    // A restarted projector takes its checkpoint from the database, so a redelivery is skipped too.
    const restarted = new Projector(store, new ProjectionStore(db));
    await restarted.start();
    await restarted.applyBatch(batch, throughSeq);
    await restarted.stop();
    expect(await answers(db)).toEqual(before);
  });

  it('keeps the breakdown by target labels across batches, the same live and replayed', async () => {
    const store = new EventStore(events.log);
    const discovered = (version: string): PeriskopEvent => ({
      type: 'TargetsDiscovered',
      version: 1,
      service: 'svc.one',
      at: 1,
      data: {
        targets: [
          { address: 'a:7777', url: 'http://a:7777/errors', labels: { version, zone: 'eu' } },
          { address: 'b:7777', url: 'http://b:7777/errors', labels: { version: '2.0' } },
        ],
      },
    });
    const history = [
      discovered('1.0'),
      snapshot('svc.one', 'a', 'E@1', 3, [{ uuid: 'u1', at: 1_000 }]),
      snapshot('svc.one', 'b', 'E@1', 2, [{ uuid: 'u2', at: 2_000 }]),
      discovered('2.0'),
      snapshot('svc.one', 'a', 'E@1', 4, [{ uuid: 'u3', at: 3_000 }]),
    ];
    const options = { ...DEFAULT_PROJECTION_OPTIONS, breakdownLabels: new Map([['svc.one', ['version', 'zone']]]) };
    const queries = new ReadModelQueries(db);
    const breakdown = async () =>
      (await queries.breakdown('svc.one', 'E@1')).map((b) => [b.label, b.value, b.count, b.firstSeen]).sort((x, y) => String(x).localeCompare(String(y)));

    const projector = new Projector(store, new ProjectionStore(db), options);
    await projector.start();
    // One event a batch: each batch loads what the one before wrote.
    for (const event of history) await store.publish([{ id: randomUUID(), event }]);
    await projector.waitFor(await store.head());
    await projector.stop();
    const live = await breakdown();
    expect(live).toEqual([
      ['version', '1.0', 3, 1_000],
      ['version', '2.0', 3, 2_000],
      ['zone', 'eu', 4, 1_000],
    ]);
    expect((await queries.breakdownsOf('zone')).map((b) => b.count)).toEqual([4]);

    await new Projector(store, new ProjectionStore(db), options).replay();
    expect(await breakdown()).toEqual(live);

    // A restarted projector (nothing in memory) reads the values back before counting more.
    const restarted = new Projector(store, new ProjectionStore(db), options);
    await restarted.start();
    await store.publish([{ id: randomUUID(), event: snapshot('svc.one', 'b', 'E@1', 3, [{ uuid: 'u4', at: 500 }]) }]);
    await restarted.waitFor(await store.head());
    await restarted.stop();
    expect(await breakdown()).toEqual([
      ['version', '1.0', 3, 1_000],
      ['version', '2.0', 4, 500],
      ['zone', 'eu', 4, 1_000],
    ]);
  });

  it('drops occurrence buckets older than the configured retention, measured against the newest snapshot', async () => {
    const store = new EventStore(events.log);
    const at = 1_700_000_000_000;
    await store.publish(
      [
        { ...snapshot('svc.one', 'a', 'E@1', 1, []), at },
        { ...snapshot('svc.one', 'a', 'E@1', 2, []), at: at + 10 * 60_000 },
      ].map((event) => ({ id: randomUUID(), event })),
    );
    const options = { ...DEFAULT_PROJECTION_OPTIONS, bucketRetentionMs: { '1m': 5 * 60_000, '1h': 86_400_000 } };
    const projector = new Projector(store, new ProjectionStore(db), options);
    await projector.start();
    await projector.waitFor(await store.head());
    await projector.stop();
    const queries = new ReadModelQueries(db);
    expect(await queries.occurrences('svc.one', 'E@1', '1m', 0, at * 2)).toEqual([{ t: at + 10 * 60_000 - ((at + 10 * 60_000) % 60_000), count: 1 }]);
    expect((await queries.occurrences('svc.one', 'E@1', '1h', 0, at * 2)).reduce((sum, b) => sum + b.count, 0)).toBe(2);
  });
});
