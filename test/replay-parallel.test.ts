import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goErrorAggregate } from '../src/api/go-response.js';
import { parseConfig } from '../src/config/index.js';
import { EmbeddedEventLog } from '../src/events/embedded-event-log.js';
import type { PeriskopEvent } from '../src/events/events.js';
import { EventStore } from '../src/events/event-store.js';
import { ReplayWorkers } from '../src/projector/parallel-replay.js';
import { DEFAULT_PROJECTION_OPTIONS } from '../src/projector/projection-options.js';
import { Projector, type ReplaySizes } from '../src/projector/projector.js';
import { assignServiceShares, messagesByServiceToken } from '../src/projector/replay-shares.js';
import { ProjectionStore } from '../src/read-model/projection-store.js';
import { ReadModelDatabase } from '../src/read-model/read-model-database.js';
import { ReadModelQueries } from '../src/read-model/read-model-queries.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from './support/test-databases.js';
import { temporaryDir } from './support/test-event-logs.js';
import { snapshot } from './support/scraped-snapshot.js';

// The parallel replay (worker threads folding shares of the services, one writer) must build
// the read model the serial replay builds, on every database. The workers run the built code
// (dist/, `npm run build`): a worker thread cannot load the TypeScript sources Jest runs.

const WORKER_SCRIPT = new URL('../dist/projector/replay-worker.js', import.meta.url);
const SERVICES = ['svc.one', 'svc two/with slash', 'alpha', 'beta', 'gamma'];
const KEYS = ['E@0', 'E@1', 'E@2'];
const MINUTE = 60_000;

function history(): PeriskopEvent[] {
  const discovered: PeriskopEvent = {
    type: 'TargetsDiscovered',
    version: 1,
    service: 'svc.one',
    at: 1,
    data: { targets: ['a', 'b'].map((t) => ({ address: `${t}:7777`, url: `http://${t}:7777/errors`, labels: { zone: t === 'a' ? 'eu' : 'us' } })) },
  };
  const events: PeriskopEvent[] = [discovered];
  for (let i = 0; i < 60; i++) {
    const service = SERVICES[i % SERVICES.length]!;
    const target = i % 7 < 4 ? 'a' : 'b';
    // Totals grow per target and key, with a restart (a smaller total) now and then.
    const total = i % 13 === 12 ? 1 : i + 2;
    // One stack trace bigger than a log message: the event is split into chunks.
    const stack = i === 31 ? Array.from({ length: 3_000 }, (_, f) => `at frame${f} (/srv/app/module${f % 97}.ts:${f}:1)`) : undefined;
    events.push({
      ...snapshot(service, target, KEYS[i % KEYS.length]!, total, [{ uuid: `u${i}`, at: 1_000 * i, ...(stack ? { stack } : {}) }, { uuid: `v${i}`, at: 1_000 * i + 1 }]),
      at: 1_700_000_000_000 + Math.floor(i / 3) * MINUTE,
    });
    if (i === 20) events.push({ type: 'ErrorResolved', version: 1, service: 'alpha', at: 2, data: { aggregation_key: 'E@2' } });
    if (i === 40) events.push({ type: 'ScrapeFailed', version: 1, service: 'svc.one', at: 3, data: { target: 'http://b:7777/errors', reason: 'timeout', detail: 'no answer' } });
  }
  return events;
}

describe.each(DATABASE_KINDS)('parallel replay on %s', (kind) => {
  let database: TestDatabase;
  let logDir: string;
  let removeLog: () => Promise<void>;
  let log: EmbeddedEventLog;
  let db: ReadModelDatabase;
  // Minute buckets kept 5 minutes: retention drops some while the history is replayed.
  const options = {
    ...DEFAULT_PROJECTION_OPTIONS,
    breakdownLabels: new Map([['svc.one', ['zone']]]),
    bucketRetentionMs: { ...DEFAULT_PROJECTION_OPTIONS.bucketRetentionMs, '1m': 5 * MINUTE },
  };

  beforeAll(() => {
    if (!existsSync(fileURLToPath(WORKER_SCRIPT))) throw new Error(`${fileURLToPath(WORKER_SCRIPT)} is missing: npm run build first`);
  });

  beforeEach(async () => {
    database = await createTestDatabase(kind);
    ({ dir: logDir, remove: removeLog } = await temporaryDir());
    log = EmbeddedEventLog.open(join(logDir, 'events'), { maxMessageBytes: 32 * 1024 });
    db = await ReadModelDatabase.create(parseConfig({ repository: database.section, services: [] }, 'test.yaml').repository);
    await db.ready();
  });

  afterEach(async () => {
    await db.close();
    await log.close();
    await removeLog();
    await database.drop();
  });

  async function readModel() {
    const queries = new ReadModelQueries(db);
    const services = await queries.services();
    const errors: Record<string, unknown> = {};
    for (const service of services) errors[service] = (await queries.openErrors(service)).map(goErrorAggregate);
    const minutes: Record<string, unknown> = {};
    for (const service of SERVICES) for (const key of KEYS) minutes[`${service} ${key}`] = await queries.occurrences(service, key, '1m', 0, Number.MAX_SAFE_INTEGER);
    return {
      services,
      errors,
      minutes,
      totals: (await queries.aggregateTotals()).sort((x, y) => x.service.localeCompare(y.service) || x.aggregationKey.localeCompare(y.aggregationKey)),
      targets: (await queries.targets()).map((t) => ({ service: t.service, url: t.url, labels: t.labels, status: t.status, reason: t.lastErrorReason })),
      // aggregateTotals and breakdownsOf (equal counts) leave the order to the database.
      breakdown: (await queries.breakdownsOf('zone')).sort((x, y) => x.aggregationKey.localeCompare(y.aggregationKey) || x.value.localeCompare(y.value)),
      checkpoint: await new ProjectionStore(db).checkpoint(),
    };
  }

  async function replayInParallel(store: EventStore, sizes: ReplaySizes, workers = 2): Promise<number> {
    const projector = new Projector(store, new ProjectionStore(db), options, undefined, sizes);
    return projector.replayInParallel((fromSeq) => {
      const shares = assignServiceShares(messagesByServiceToken(log.messagesBySubjectTail(fromSeq)), workers);
      return ReplayWorkers.start({ logDir: join(logDir, 'events'), shares, workers, options, fromSeq, readEvents: sizes.readEvents }, WORKER_SCRIPT);
    });
  }

  it('builds the read model the serial replay builds, in one commit, in many, and going on serially', async () => {
    const store = new EventStore(log);
    const events = history();
    await store.publish(events.map((event) => ({ id: randomUUID(), event })));
    expect(await store.head()).toBeGreaterThan(events.length); // the big event was split

    expect(await new Projector(store, new ProjectionStore(db), options).replay()).toBe(events.length);
    const serial = await readModel();
    expect(serial.services).toHaveLength(SERVICES.length);
    expect(serial.breakdown.length).toBeGreaterThan(0);
    const minutes = Object.values(serial.minutes).flat() as { t: number }[];
    expect(minutes.length).toBeGreaterThan(5);
    expect(Math.min(...minutes.map((m) => m.t))).toBeGreaterThan(1_700_000_000_000); // retention dropped the first minutes

    // One commit at the head.
    expect(await replayInParallel(store, { readEvents: 1_000, foldSlice: 1_000, commitAggregates: 1_000, commitRecords: 1_000_000 })).toBe(events.length);
    expect(await readModel()).toEqual(serial);
    // A commit every few events: retention runs at each, aggregates are rewritten.
    expect(await replayInParallel(store, { readEvents: 3, foldSlice: 7, commitAggregates: 1_000, commitRecords: 5 })).toBe(events.length);
    expect(await readModel()).toEqual(serial);
    // The workers hold more errors than the bound: the rest of the log is folded serially.
    expect(await replayInParallel(store, { readEvents: 4, foldSlice: 10, commitAggregates: 3, commitRecords: 5 })).toBe(events.length);
    expect(await readModel()).toEqual(serial);
    // More workers than services in some shares.
    expect(await replayInParallel(store, { readEvents: 5, foldSlice: 20, commitAggregates: 1_000, commitRecords: 50 }, 7)).toBe(events.length);
    expect(await readModel()).toEqual(serial);
    // Buckets written ahead of each commit while the workers fold on (ProjectionStore.writeBucketsAhead),
    // some counted again after: one commit at the head, a commit every few slices, and going
    // on serially from a commit that wrote buckets ahead (the store caches those too).
    expect(await replayInParallel(store, { readEvents: 3, foldSlice: 5, commitAggregates: 1_000, commitRecords: 1_000_000 })).toBe(events.length);
    expect(await readModel()).toEqual(serial);
    expect(await replayInParallel(store, { readEvents: 3, foldSlice: 4, commitAggregates: 1_000, commitRecords: 30 })).toBe(events.length);
    expect(await readModel()).toEqual(serial);
    expect(await replayInParallel(store, { readEvents: 2, foldSlice: 3, commitAggregates: 4, commitRecords: 1_000_000 })).toBe(events.length);
    expect(await readModel()).toEqual(serial);
  });

  it('goes on serially after several commits, from what the workers handed over', async () => {
    const store = new EventStore(log);
    // First one service's two errors, each counted under both zones in turn; later, errors of
    // other services, until the workers hold more than the bound.
    const events: PeriskopEvent[] = [
      history()[0]!,
      ...Array.from({ length: 16 }, (_, i) => ({ ...snapshot('svc.one', i % 4 < 2 ? 'a' : 'b', KEYS[i % 2]!, i + 1, [{ uuid: `w${i}`, at: i }]), at: 1_700_000_000_000 + i * MINUTE })),
      ...Array.from({ length: 12 }, (_, i) => ({ ...snapshot(SERVICES[1 + (i % 4)]!, 'a', `K@${i}`, 1, [{ uuid: `k${i}`, at: i }]), at: 1_700_000_000_000 + (16 + i) * MINUTE })),
      ...Array.from({ length: 8 }, (_, i) => ({ ...snapshot('svc.one', i % 2 ? 'a' : 'b', KEYS[i % 2]!, 20 + i, [{ uuid: `x${i}`, at: i }]), at: 1_700_000_000_000 + (28 + i) * MINUTE })),
    ];
    await store.publish(events.map((event) => ({ id: randomUUID(), event })));
    await new Projector(store, new ProjectionStore(db), options).replay();
    const serial = await readModel();
    expect(serial.breakdown.map((c) => [c.aggregationKey, c.value])).toEqual([
      ['E@0', 'eu'],
      ['E@0', 'us'],
      ['E@1', 'eu'],
      ['E@1', 'us'],
    ]);

    expect(await replayInParallel(store, { readEvents: 2, foldSlice: 3, commitAggregates: 8, commitRecords: 2 })).toBe(events.length);
    expect(await readModel()).toEqual(serial);
  });
});
