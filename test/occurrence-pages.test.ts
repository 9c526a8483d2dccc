import { goErrorAggregate } from '../src/api/go-response.js';
import { loggedEvent } from '../src/events/logged-snapshot.js';
import { LATEST_ERRORS_CAP, newerFirst } from '../src/projector/aggregate-rules.js';
import { MIGRATIONS } from '../src/read-model/migrations/index.js';
import { ProjectionStore } from '../src/read-model/projection-store.js';
import { ReadModelDatabase } from '../src/read-model/read-model-database.js';
import { ReadModelQueries } from '../src/read-model/read-model-queries.js';
import { parseErrorSearch } from '../src/read-model/error-search.js';
import { rowId } from '../src/read-model/row-id.js';
import type { ErrorOccurrence } from '../src/scraper/payload.types.js';
import { DATABASE_KINDS } from './support/test-databases.js';
import { applyBatch, readModelPerTest } from './support/read-model-per-test.js';
import { snapshot } from './support/scraped-snapshot.js';

// occurrence_page on each database: an aggregate's latest occurrences on a page per commit that
// added some, a page deleted once none of its occurrences is among the latest hundred; moved
// there from the latest_errors documents of an older schema, through error_occurrence rows.

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

describe.each(DATABASE_KINDS)('occurrence pages on %s', (kind) => {
  const readModel = readModelPerTest(kind);
  const db = () => readModel.db();

  /** The error's pages, oldest first, each as the uuids on it. */
  async function pages(): Promise<string[][]> {
    const rows = (await db().fork().getKnex()('occurrence_page').select('identities', 'newest').where('aggregate_id', rowId(SERVICE, KEY))) as { identities: string; newest: number | string }[];
    return rows.sort((a, b) => Number(a.newest) - Number(b.newest)).map((r) => (JSON.parse(r.identities) as [string, number][]).map(([uuid]) => uuid));
  }

  /** The uuids the API serves for the error, newest first. */
  async function served(): Promise<string[]> {
    const [error] = await new ReadModelQueries(db()).openErrors(SERVICE);
    return error!.latestErrors.map((o) => o.uuid);
  }

  it('moves the latest_errors documents of an older schema onto a page per error, in the order the API served them', async () => {
    const before = MIGRATIONS.findIndex((m) => m.name === '20261124-error-occurrences');
    const old = await ReadModelDatabase.create(readModel.repository(), MIGRATIONS.slice(0, before));
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

    await readModel.open();
    const knex = db().fork().getKnex();
    expect(Number(((await knex('occurrence_page').count({ n: '*' }).first()) as { n: number | string }).n)).toBe(59);
    expect(await knex('aggregated_error').columnInfo()).not.toHaveProperty('latest_errors');
    expect(await knex.schema.hasTable('error_occurrence')).toBe(false);
    const served = new Map((await new ReadModelQueries(db()).openErrors(SERVICE)).map((e) => [e.aggregationKey, goErrorAggregate(e)]));
    expect(served.size).toBe(60);
    for (const d of documents) {
      expect(served.get(d.key)!.latest_errors).toEqual(d.latest.map((o) => ({ ...o, timestamp: Math.floor(o.timestamp / 1000) })));
    }
  });

  it('writes a page per commit, serves the newest hundred of them, and deletes a page once none of it is served, also after a restart', async () => {
    await readModel.open();
    const store = new ProjectionStore(db());
    await store.checkpoint();
    const uuids = (from: number, count: number) => occurrences(from, count).map((o) => o.uuid);
    await applyBatch(store, [snapshot(SERVICE, 'a', KEY, LATEST_ERRORS_CAP, occurrences(0, LATEST_ERRORS_CAP))], 1);
    expect(await pages()).toEqual([uuids(0, 100).reverse()]);

    // One more: a page of its own; the first page keeps its 99 others, its oldest no longer served.
    await applyBatch(store, [snapshot(SERVICE, 'a', KEY, LATEST_ERRORS_CAP + 1, occurrences(100, 1))], 2);
    expect(await pages()).toEqual([uuids(0, 100).reverse(), ['o0100']]);
    expect(await served()).toEqual(uuids(1, 100).reverse());

    // A new store knows nothing in memory: it reads the pages back before pushing them out.
    const restarted = new ProjectionStore(db());
    await restarted.checkpoint();
    await applyBatch(restarted, [snapshot(SERVICE, 'b', KEY, 2, [...occurrences(101, 1), { uuid: 'too-old', at: T0 - 1_000 }])], 3);
    expect(await pages()).toEqual([uuids(0, 100).reverse(), ['o0100'], ['o0101']]);
    expect(await served()).toEqual(uuids(2, 100).reverse());

    // A hundred newer: every older page is pushed out whole, and deleted.
    await applyBatch(restarted, [snapshot(SERVICE, 'a', KEY, 300, occurrences(200, LATEST_ERRORS_CAP))], 4);
    expect(await pages()).toEqual([uuids(200, 100).reverse()]);
    expect(await served()).toEqual(uuids(200, 100).reverse());
  });

  it('holds a stack trace the occurrences of a commit share once, and serves each occurrence with its own', async () => {
    await readModel.open();
    const store = new ProjectionStore(db());
    await store.checkpoint();
    const shared = ['at handler (/srv/app.ts:1:1)', 'at “ünïcödé” [as run]'];
    const given = [...occurrences(0, 3).map((o) => ({ ...o, stack: shared })), { uuid: 'deeper', at: T0 + 9_000, stack: [...shared, 'at caller'] }];
    // As the projector reads it from the log: version 2, each occurrence's stack trace located.
    const event = loggedEvent(snapshot(SERVICE, 'a', KEY, 4, given));
    await applyBatch(store, [event], 1);
    const [row] = (await db().fork().getKnex()('occurrence_page').select('occurrences', 'stacks')) as { occurrences: string; stacks: string }[];
    expect(JSON.parse(row!.stacks)).toEqual([[...shared, 'at caller'], shared]);
    expect(row!.occurrences).not.toContain('handler');
    const original = snapshot(SERVICE, 'a', KEY, 4, given);
    const expected = original.type === 'SnapshotScraped' ? [...original.data.aggregated_errors[0]!.latest_errors].sort(newerFirst) : [];
    expect((await new ReadModelQueries(db()).error(SERVICE, KEY))!.latestErrors).toEqual(expected);
    const listed = await new ReadModelQueries(db()).searchErrors(SERVICE, parseErrorSearch({ q: 'AS RUN' }));
    expect(listed).toMatchObject({ total: 1, items: [{ aggregationKey: KEY, newest: expected[0] }] });
  });

  it('names what is wrong with a page it cannot read', async () => {
    await readModel.open();
    const knex = db().fork().getKnex();
    await knex('occurrence_page').insert({ id: 'p'.repeat(64), aggregate_id: rowId(SERVICE, KEY), newest: T0, identities: '[]', occurrences: '{"not":"a list"}' });
    await knex('service').insert({ id: rowId(SERVICE), name: SERVICE });
    await knex('aggregated_error').insert({ id: rowId(SERVICE, KEY), service_id: rowId(SERVICE), service: SERVICE, aggregation_key: KEY, severity: 'error', total_count: 1, created_at: T0, last_seen: T0 });
    await expect(served()).rejects.toThrow(`occurrence_page ${'p'.repeat(64)} of aggregate ${rowId(SERVICE, KEY)}: the occurrences are not a list`);
  });

  it('finds an error by text inside one of its occurrences, wildcards taken literally', async () => {
    await readModel.open();
    const store = new ProjectionStore(db());
    await store.checkpoint();
    await applyBatch(
      store,
      [snapshot(SERVICE, 'a', KEY, 1, occurrences(0, 1)), snapshot(SERVICE, 'a', 'Other@2', 1, [])],
      1,
    );
    const queries = new ReadModelQueries(db());
    const search = async (q: string) => (await queries.searchErrors(SERVICE, parseErrorSearch({ q }))).items.map((e) => e.aggregationKey);
    // The message and the request URL of the occurrence (scraped-snapshot.ts).
    expect(await search('“QUOTED”')).toEqual([KEY]);
    expect(await search('svc/x?a=1')).toEqual([KEY]);
    expect(await search('other@')).toEqual(['Other@2']);
    expect(await search('na%ve')).toEqual([]);
    expect(await queries.searchErrors(SERVICE, parseErrorSearch({ q: 'inner' }))).toMatchObject({ total: 1, items: [{ newest: { uuid: 'o0000' } }] });
  });

  it('lists each error with only its newest occurrence, the first of its full list (ties by uuid)', async () => {
    await readModel.open();
    const store = new ProjectionStore(db());
    await store.checkpoint();
    // Two share the newest time: the uuid decides, as in the full list.
    const tied = [...occurrences(0, 5), { uuid: 'z-last', at: T0 + 4_000 }, { uuid: 'a-first', at: T0 + 4_000 }];
    await applyBatch(store, [snapshot(SERVICE, 'a', KEY, 7, tied), snapshot(SERVICE, 'a', 'Other@2', 1, occurrences(10, 1))], 1);
    const queries = new ReadModelQueries(db());
    const listed = (await queries.searchErrors(SERVICE, parseErrorSearch({}))).items;
    const full = await queries.error(SERVICE, KEY);
    expect(full!.latestErrors.map((o) => o.uuid).slice(0, 2)).toEqual(['a-first', 'o0004']);
    expect(Object.fromEntries(listed.map((e) => [e.aggregationKey, e.newest?.uuid]))).toEqual({ [KEY]: 'a-first', 'Other@2': 'o0010' });
    expect(listed.find((e) => e.aggregationKey === KEY)!.newest).toEqual(full!.latestErrors[0]);
  });
});
