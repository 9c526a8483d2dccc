import { randomUUID } from 'node:crypto';
import { goErrorAggregate } from '../src/api/go-response.js';
import { parseConfig } from '../src/config/index.js';
import type { EmbeddedEventLog } from '../src/events/embedded-event-log.js';
import type { PeriskopEvent } from '../src/events/events.js';
import { EventStore } from '../src/events/event-store.js';
import { decodeSnapshot, dumpReadModel, encodeSnapshot, restoreRows, unusableBecause } from '../src/history/read-model-snapshot.js';
import { Projector } from '../src/projector/projector.js';
import { ProjectionStore } from '../src/read-model/projection-store.js';
import { ReadModelDatabase } from '../src/read-model/read-model-database.js';
import { ReadModelQueries } from '../src/read-model/read-model-queries.js';
import { withStacks } from '../src/read-model/occurrence-pages.js';
import type { ErrorOccurrence } from '../src/scraper/payload.types.js';
import { newerFirst } from '../src/projector/aggregate-rules.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from './support/test-databases.js';
import { openTestEmbeddedLog, type TestEventLog } from './support/test-event-logs.js';
import { snapshot } from './support/scraped-snapshot.js';

// A snapshot taken on each database restores into another (time travel restores into SQLite
// in memory) and, with the log after it, answers exactly as the database it came from.

const AT = 1_700_000_000_000;

const BEFORE: PeriskopEvent[] = [
  { type: 'TargetsDiscovered', version: 1, service: 'svc.one', at: AT, data: { targets: [{ address: 'a:1', url: 'http://a:7777/errors', labels: { zone: 'eu' } }] } },
  snapshot('svc.one', 'a', 'E@1', 3, [{ uuid: 'u1', at: AT + 1_000 }, { uuid: 'u2', at: AT + 1_000 }]),
  snapshot('svc two/with slash', 'c', 'E@2', 7, [{ uuid: 'u5', at: AT + 2_000 }]),
  { type: 'ErrorResolved', version: 1, service: 'svc two/with slash', at: AT + 3_000, data: { aggregation_key: 'E@2' } },
];
const AFTER: PeriskopEvent[] = [
  snapshot('svc.one', 'a', 'E@1', 5, [{ uuid: 'u3', at: AT + 4_000 }]),
  snapshot('svc two/with slash', 'c', 'E@2', 9, [{ uuid: 'u6', at: AT + 5_000 }]),
  { type: 'ScrapeFailed', version: 1, service: 'svc.one', at: AT + 6_000, data: { target: 'http://a:7777/errors', reason: 'timeout', detail: 'no answer' } },
];

async function answers(db: ReadModelDatabase, only?: string) {
  const queries = new ReadModelQueries(db);
  const services = (await queries.services()).filter((s) => only === undefined || s === only);
  const errors: Record<string, unknown> = {};
  for (const service of services) errors[service] = (await queries.openErrors(service)).map(goErrorAggregate);
  const targets = (await queries.targets()).filter((t) => only === undefined || t.service === only);
  const occurrences = await queries.occurrences('svc.one', 'E@1', '1m', 0, Number.MAX_SAFE_INTEGER);
  return { services, errors, targets, occurrences: only === undefined || only === 'svc.one' ? occurrences : [] };
}

describe.each(DATABASE_KINDS)('read-model snapshot from %s', (kind) => {
  let database: TestDatabase;
  let events: TestEventLog<EmbeddedEventLog>;
  let db: ReadModelDatabase;
  let memory: ReadModelDatabase;

  beforeEach(async () => {
    database = await createTestDatabase(kind);
    events = await openTestEmbeddedLog();
    db = await ReadModelDatabase.create(parseConfig({ repository: database.section, services: [] }, 'test.yaml').repository);
    memory = await ReadModelDatabase.create({ type: 'memory' });
    await Promise.all([db.ready(), memory.ready()]);
  });

  afterEach(async () => {
    await memory.close();
    await db.close();
    await events.cleanup();
    await database.drop();
  });

  /** Logs `logged` and replays it into the database; the log's store, for more to come. */
  async function replayed(logged: PeriskopEvent[]): Promise<EventStore> {
    const store = new EventStore(events.log);
    await store.publish(logged.map((event) => ({ id: randomUUID(), event })));
    await new Projector(store, new ProjectionStore(db)).replay();
    return store;
  }

  it('restores into SQLite in memory and, with the log after it, answers as the database it came from', async () => {
    const store = await replayed(BEFORE);
    const atSnapshot = await answers(db);

    const dumped = await dumpReadModel(db);
    expect(dumped.seq).toBe(BEFORE.length);
    expect(dumped.tables).not.toContain('checkpoint');
    const snapshot = decodeSnapshot(encodeSnapshot({ ...dumped, at: AT + 3_000 }), 'test');
    expect(snapshot).toMatchObject({ seq: dumped.seq, at: AT + 3_000, tables: dumped.tables });
    expect(unusableBecause(snapshot)).toBeNull();
    expect(unusableBecause({ tables: snapshot.tables.slice(1) })).toMatch(/^it predates the table\(s\) /);
    expect(snapshot.rows.every((r) => r.service === 'svc.one' || r.service === 'svc two/with slash')).toBe(true);

    await store.publish(AFTER.map((event) => ({ id: randomUUID(), event })));
    await new Projector(store, new ProjectionStore(db)).replayTail();
    const live = await answers(db);

    await restoreRows(memory, snapshot.seq, snapshot.rows);
    expect(await answers(memory)).toEqual(atSnapshot);
    const projector = new Projector(store, new ProjectionStore(memory));
    expect(await projector.replayTail()).toBe(AFTER.length);
    expect(await answers(memory)).toEqual(live);
  });

  it('restores snapshots from before occurrence_page: occurrences as error_occurrence rows, and older inside the aggregated_error rows', async () => {
    await replayed(BEFORE);
    const dumped = await dumpReadModel(db);
    const pages = dumped.rows.filter((r) => r.table === 'occurrence_page');
    // Whole, as the older formats held them: a page holds its stack traces apart (page-rows.ts).
    const onPage = (row: Record<string, unknown>): ErrorOccurrence[] => {
      const list = JSON.parse(row.occurrences as string) as ErrorOccurrence[];
      if (row.stacks !== null) withStacks(list, JSON.parse(row.stacks as string) as unknown[], String(row.id));
      return list;
    };
    const occurrences = pages.flatMap((r) => onPage(r.row).map((occurrence) => ({ service: r.service, aggregateId: r.row.aggregateId as string, occurrence })));
    expect(occurrences.map((o) => [o.service, o.occurrence.uuid]).sort()).toEqual([
      ['svc two/with slash', 'u5'],
      ['svc.one', 'u1'],
      ['svc.one', 'u2'],
    ]);
    const withoutPages = {
      ...dumped,
      at: AT + 3_000,
      tables: dumped.tables.filter((t) => t !== 'occurrence_page'),
      rows: dumped.rows.filter((r) => r.table !== 'occurrence_page'),
    };
    // The format of then: a row per occurrence, in any order.
    const inRows = {
      ...withoutPages,
      tables: [...withoutPages.tables, 'error_occurrence'],
      rows: [
        ...withoutPages.rows,
        ...occurrences.reverse().map(({ service, aggregateId, occurrence }, i) => ({
          table: 'error_occurrence',
          service,
          row: { id: `row-${i}`, aggregateId, uuid: occurrence.uuid, timestamp: occurrence.timestamp, occurrence },
        })),
      ],
    };
    // Older: each aggregated_error row with its occurrences, newest first.
    const inDocuments = {
      ...withoutPages,
      rows: withoutPages.rows.map((r) => {
        if (r.table !== 'aggregated_error') return r;
        const latestErrors = occurrences.filter((o) => o.aggregateId === r.row.id).map((o) => o.occurrence).sort(newerFirst);
        return { ...r, row: { ...r.row, latestErrors } };
      }),
    };
    for (const [name, older] of [['rows', inRows], ['documents', inDocuments]] as const) {
      const decoded = decodeSnapshot(encodeSnapshot(older), name);
      expect(unusableBecause(decoded)).toBeNull();
      expect(decoded.rows.filter((r) => r.table === 'occurrence_page').map((r) => [r.service, JSON.parse(r.row.identities as string)]).sort()).toEqual(
        pages.map((r) => [r.service, JSON.parse(r.row.identities as string)]).sort(),
      );
      await memory.clear();
      await restoreRows(memory, decoded.seq, decoded.rows);
      expect(await answers(memory)).toEqual(await answers(db));
    }
    expect(() => decodeSnapshot(encodeSnapshot({ ...inDocuments, rows: inDocuments.rows.map((r) => (r.table === 'aggregated_error' ? { ...r, row: { ...r.row, latestErrors: 'x' } } : r)) }), 'bad')).toThrow(
      /^snapshot bad, aggregated_error [0-9a-f]{64}: latestErrors is not a list of occurrences$/,
    );
    expect(() => decodeSnapshot(encodeSnapshot({ ...inRows, rows: inRows.rows.map((r) => (r.table === 'error_occurrence' ? { ...r, row: { ...r.row, occurrence: {} } } : r)) }), 'bad rows')).toThrow(
      /^snapshot bad rows, error_occurrence row-0 has no string uuid and numeric timestamp$/,
    );
  });

  it('restores snapshots from before target_totals, a row per target and key, and counts on from their totals', async () => {
    const store = await replayed(BEFORE);
    const dumped = await dumpReadModel(db);
    const totals = dumped.rows.filter((r) => r.table === 'target_totals');
    expect(totals).toHaveLength(2);
    const perKey = totals.flatMap(({ service, row }) =>
      Object.entries(JSON.parse(row.totals as string) as Record<string, number>).map(([aggregationKey, total]) => ({
        table: 'target_count',
        service,
        row: { id: `${String(row.id)}/${aggregationKey}`, service: row.service, targetUuid: row.targetUuid, aggregationKey, total },
      })),
    );
    const older = {
      ...dumped,
      at: AT + 3_000,
      tables: dumped.tables.map((t) => (t === 'target_totals' ? 'target_count' : t)),
      rows: [...dumped.rows.filter((r) => r.table !== 'target_totals'), ...perKey],
    };
    const decoded = decodeSnapshot(encodeSnapshot(older), 'older');
    expect(unusableBecause(decoded)).toBeNull();
    expect(decoded.rows.filter((r) => r.table === 'target_totals')).toEqual(totals);

    await store.publish(AFTER.map((event) => ({ id: randomUUID(), event })));
    await new Projector(store, new ProjectionStore(db)).replayTail();
    await restoreRows(memory, decoded.seq, decoded.rows);
    await new Projector(store, new ProjectionStore(memory)).replayTail();
    expect(await answers(memory)).toEqual(await answers(db));

    const wrong = { ...older, rows: older.rows.map((r) => (r.table === 'target_count' ? { ...r, row: { ...r.row, total: 'many' } } : r)) };
    expect(() => decodeSnapshot(encodeSnapshot(wrong), 'bad')).toThrow(/^snapshot bad, target_count [0-9a-f]{64}\/E@1: total "many" is not a count$/);
  });

  it('restores into an emptied database of its own kind', async () => {
    await replayed([...BEFORE, ...AFTER]);
    const before = await answers(db);
    const snapshot = decodeSnapshot(encodeSnapshot({ ...(await dumpReadModel(db)), at: 0 }), 'own kind');
    await db.clear();
    expect((await answers(db)).services).toEqual([]);
    await restoreRows(db, snapshot.seq, snapshot.rows);
    expect(await answers(db)).toEqual(before);
    expect(await new ProjectionStore(db).checkpoint()).toBe(BEFORE.length + AFTER.length);
  });

  it("restores one service's rows alone", async () => {
    await replayed(BEFORE);
    const snapshot = { ...(await dumpReadModel(db)), at: 0 };
    await restoreRows(memory, snapshot.seq, snapshot.rows.filter((r) => r.service === 'svc.one'));
    expect(await answers(memory)).toEqual(await answers(db, 'svc.one'));
  });
});
