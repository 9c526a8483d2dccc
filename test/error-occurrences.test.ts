import { goErrorAggregate } from '../src/api/go-response.js';
import { parseConfig } from '../src/config/index.js';
import type { PeriskopEvent } from '../src/events/events.js';
import { LATEST_ERRORS_CAP } from '../src/projector/aggregate-rules.js';
import { apply } from '../src/projector/projection.js';
import { MIGRATIONS } from '../src/read-model/migrations/index.js';
import { ProjectionStore } from '../src/read-model/projection-store.js';
import { ReadModelDatabase } from '../src/read-model/read-model-database.js';
import { ReadModelQueries } from '../src/read-model/read-model-queries.js';
import { parseErrorSearch } from '../src/read-model/error-search.js';
import { rowId } from '../src/read-model/row-id.js';
import type { ErrorOccurrence } from '../src/scraper/payload.types.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from './support/test-databases.js';
import { snapshot } from './support/scraped-snapshot.js';

// error_occurrence on each database: an aggregate's latest occurrences as rows, written as
// they change (one in, one out), moved there from the latest_errors documents by the migration.

const T0 = 1_700_000_000_000;
const SERVICE = 'svc.one';
const KEY = 'E@1';

/** `count` occurrences, one a second from `from`, uuids o<from + i>. */
function occurrences(from: number, count: number): { uuid: string; at: number }[] {
  return Array.from({ length: count }, (_, i) => ({ uuid: `o${String(from + i).padStart(4, '0')}`, at: T0 + (from + i) * 1_000 }));
}

function occurrence(uuid: string, timestamp: number, message: string): ErrorOccurrence {
  return {
    error: { class: 'Timeout', message, stacktrace: ['at handler (/srv/app.ts:1:1)'], cause: null },
    uuid,
    timestamp,
    severity: 'error',
    http_context: null,
  };
}

describe.each(DATABASE_KINDS)('error occurrences on %s', (kind) => {
  let database: TestDatabase;
  let db: ReadModelDatabase | undefined;
  const repository = () => parseConfig({ repository: database.section, services: [] }, 'test.yaml').repository;

  beforeEach(async () => {
    database = await createTestDatabase(kind);
  });

  afterEach(async () => {
    await db?.close();
    db = undefined;
    await database.drop();
  });

  async function open(): Promise<ReadModelDatabase> {
    db = await ReadModelDatabase.create(repository());
    await db.ready();
    return db;
  }

  /** The uuids stored for the error, sorted. */
  async function storedUuids(): Promise<string[]> {
    const rows = (await db!.fork().getKnex()('error_occurrence').select('uuid').where('aggregate_id', rowId(SERVICE, KEY))) as { uuid: string }[];
    return rows.map((r) => r.uuid).sort();
  }

  /** Applies the events as one batch, as the live projector does. */
  async function applyBatch(store: ProjectionStore, events: PeriskopEvent[], throughSeq: number): Promise<void> {
    const state = await store.load(events);
    for (const event of events) apply(state, event);
    await store.commit(state, throughSeq);
  }

  it('moves the latest_errors documents of an older schema into rows, in the order the API served them', async () => {
    const before = MIGRATIONS.findIndex((m) => m.name === '20261124-error-occurrences');
    const old = await ReadModelDatabase.create(repository(), MIGRATIONS.slice(0, before));
    await old.ready();
    // More aggregates than the migration reads per step. Documents as the projector wrote them:
    // newest first, equal times by uuid as JavaScript compares ('B' before 'a', unlike
    // MariaDB's collation).
    const documents = Array.from({ length: 60 }, (_, i) => ({
      key: `E@${i}`,
      latest: i === 7 ? [] : [occurrence(`B${i}`, T0 + 2_000, `naïve “${i}” \u0000`), occurrence(`a${i}`, T0 + 2_000, 'tie'), occurrence(`c${i}`, T0, 'old')],
    }));
    await old
      .fork()
      .getKnex()('aggregated_error')
      .insert(
        documents.map((d) => ({
          id: rowId(SERVICE, d.key),
          service_id: rowId(SERVICE),
          service: SERVICE,
          aggregation_key: d.key,
          severity: 'error',
          total_count: 3,
          created_at: T0,
          last_seen: T0 + 2_000,
          latest_errors: JSON.stringify(d.latest),
        })),
      );
    await old.fork().getKnex()('service').insert({ id: rowId(SERVICE), name: SERVICE });
    await old.close();

    await open();
    const knex = db!.fork().getKnex();
    expect(Number(((await knex('error_occurrence').count({ n: '*' }).first()) as { n: number | string }).n)).toBe(59 * 3);
    expect(await knex('aggregated_error').columnInfo()).not.toHaveProperty('latest_errors');
    const served = new Map((await new ReadModelQueries(db!).openErrors(SERVICE)).map((e) => [e.aggregationKey, goErrorAggregate(e)]));
    expect(served.size).toBe(60);
    for (const d of documents) {
      expect(served.get(d.key)!.latest_errors).toEqual(d.latest.map((o) => ({ ...o, timestamp: Math.floor(o.timestamp / 1000) })));
    }
  });

  it('writes one row in and one out when an error holding the cap gains an occurrence, before and after a restart', async () => {
    await open();
    const store = new ProjectionStore(db!);
    await store.checkpoint();
    await applyBatch(store, [snapshot(SERVICE, 'a', KEY, LATEST_ERRORS_CAP, occurrences(0, LATEST_ERRORS_CAP))], 1);
    const full = await storedUuids();
    expect(full).toEqual(occurrences(0, LATEST_ERRORS_CAP).map((o) => o.uuid));

    await applyBatch(store, [snapshot(SERVICE, 'a', KEY, LATEST_ERRORS_CAP + 1, occurrences(100, 1))], 2);
    const afterOne = await storedUuids();
    expect(afterOne.filter((u) => !full.includes(u))).toEqual(['o0100']);
    expect(full.filter((u) => !afterOne.includes(u))).toEqual(['o0000']);

    // A new store knows nothing in memory: it reads what is stored before trimming again.
    const restarted = new ProjectionStore(db!);
    await restarted.checkpoint();
    await applyBatch(
      restarted,
      [snapshot(SERVICE, 'b', KEY, 2, [...occurrences(101, 1), { uuid: 'too-old', at: T0 - 1_000 }])],
      3,
    );
    const afterRestart = await storedUuids();
    expect(afterRestart).toHaveLength(LATEST_ERRORS_CAP);
    expect(afterRestart.filter((u) => !afterOne.includes(u))).toEqual(['o0101']);
    expect(afterOne.filter((u) => !afterRestart.includes(u))).toEqual(['o0001']);
    const [served] = await new ReadModelQueries(db!).openErrors(SERVICE);
    expect(served!.latestErrors.map((o) => o.uuid)).toEqual(occurrences(2, LATEST_ERRORS_CAP).map((o) => o.uuid).reverse());
  });

  it('finds an error by text inside one of its occurrences, wildcards taken literally', async () => {
    await open();
    const store = new ProjectionStore(db!);
    await store.checkpoint();
    await applyBatch(
      store,
      [snapshot(SERVICE, 'a', KEY, 1, occurrences(0, 1)), snapshot(SERVICE, 'a', 'Other@2', 1, [])],
      1,
    );
    const queries = new ReadModelQueries(db!);
    const search = async (q: string) => (await queries.searchErrors(SERVICE, parseErrorSearch({ q }))).items.map((e) => e.aggregationKey);
    // The message and the request URL of the occurrence (scraped-snapshot.ts).
    expect(await search('“QUOTED”')).toEqual([KEY]);
    expect(await search('svc/x?a=1')).toEqual([KEY]);
    expect(await search('other@')).toEqual(['Other@2']);
    expect(await search('na%ve')).toEqual([]);
    expect(await queries.searchErrors(SERVICE, parseErrorSearch({ q: 'inner' }))).toMatchObject({ total: 1, items: [{ newest: { uuid: 'o0000' } }] });
  });

  it('lists each error with only its newest occurrence, the first of its full list (ties by uuid)', async () => {
    await open();
    const store = new ProjectionStore(db!);
    await store.checkpoint();
    // Two share the newest time: the uuid decides, as in the full list.
    const tied = [...occurrences(0, 5), { uuid: 'z-last', at: T0 + 4_000 }, { uuid: 'a-first', at: T0 + 4_000 }];
    await applyBatch(store, [snapshot(SERVICE, 'a', KEY, 7, tied), snapshot(SERVICE, 'a', 'Other@2', 1, occurrences(10, 1))], 1);
    const queries = new ReadModelQueries(db!);
    const listed = (await queries.searchErrors(SERVICE, parseErrorSearch({}))).items;
    const full = await queries.error(SERVICE, KEY);
    expect(full!.latestErrors.map((o) => o.uuid).slice(0, 2)).toEqual(['a-first', 'o0004']);
    expect(Object.fromEntries(listed.map((e) => [e.aggregationKey, e.newest?.uuid]))).toEqual({ [KEY]: 'a-first', 'Other@2': 'o0010' });
    expect(listed.find((e) => e.aggregationKey === KEY)!.newest).toEqual(full!.latestErrors[0]);
  });
});
