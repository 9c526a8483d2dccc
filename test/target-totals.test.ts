import { MIGRATIONS } from '../src/read-model/migrations/index.js';
import { DEFAULT_CACHE_BOUNDS, PROJECTOR_CHECKPOINT, ProjectionStore, type CacheBounds } from '../src/read-model/projection-store.js';
import { ReadModelDatabase } from '../src/read-model/read-model-database.js';
import { ReadModelQueries } from '../src/read-model/read-model-queries.js';
import { rowId } from '../src/read-model/row-id.js';
import { DATABASE_KINDS } from './support/test-databases.js';
import { applyBatch, readModelPerTest } from './support/read-model-per-test.js';
import { snapshot } from './support/scraped-snapshot.js';

// target_totals on each database: a target's last totals, every key, in one row; moved there
// from the row per target and key (target_count) of an older schema. The delta counting
// reads them back: a key lost from a row would count its whole total again.

const SERVICE = 'svc.one';

describe.each(DATABASE_KINDS)('target totals on %s', (kind) => {
  const readModel = readModelPerTest(kind);
  const db = () => readModel.db();

  async function totalCount(key: string): Promise<number | undefined> {
    return (await new ReadModelQueries(db()).openErrors(SERVICE)).find((e) => e.aggregationKey === key)?.totalCount;
  }

  async function rowOf(targetUuid: string): Promise<Record<string, number>> {
    const row = (await db().fork().getKnex()('target_totals').select('totals').where('id', rowId(SERVICE, targetUuid)).first()) as { totals: string } | undefined;
    return row ? (JSON.parse(row.totals) as Record<string, number>) : {};
  }

  it('moves the per-key totals of an older schema onto a row per target, and counts on from them', async () => {
    const before = MIGRATIONS.findIndex((m) => m.name === '20261209-target-totals');
    const old = await ReadModelDatabase.create(readModel.repository(), MIGRATIONS.slice(0, before));
    await old.ready();
    // More targets than the migration reads per step; the same target_uuid in two services.
    const targets = Array.from({ length: 600 }, (_, i) => `uuid-${String(i).padStart(3, '0')}`);
    const rows = targets.flatMap((uuid, i) =>
      ['E@1', 'naïve “key” \\'].map((key, k) => ({ id: rowId(SERVICE, uuid, key), service: SERVICE, target_uuid: uuid, aggregation_key: key, total: i * 10 + k })),
    );
    rows.push({ id: rowId('svc.two', 'uuid-000', 'E@1'), service: 'svc.two', target_uuid: 'uuid-000', aggregation_key: 'E@1', total: 2 ** 40 });
    const knex = old.fork().getKnex();
    for (let i = 0; i < rows.length; i += 200) await knex('target_count').insert(rows.slice(i, i + 200));
    await old.close();

    await readModel.open();
    const moved = db().fork().getKnex();
    expect(await moved.schema.hasTable('target_count')).toBe(false);
    expect(Number(((await moved('target_totals').count({ n: '*' }).first()) as { n: number | string }).n)).toBe(601);
    expect(await rowOf('uuid-123')).toEqual({ 'E@1': 1230, 'naïve “key” \\': 1231 });
    const two = (await moved('target_totals').select('totals').where('id', rowId('svc.two', 'uuid-000')).first()) as { totals: string };
    expect(JSON.parse(two.totals)).toEqual({ 'E@1': 2 ** 40 });

    // uuid-123 reported 1230 of E@1 before the move: 1235 now is 5 new ones, its other key untouched.
    const store = new ProjectionStore(db());
    await store.checkpoint();
    await applyBatch(store, [snapshot(SERVICE, 'uuid-123', 'E@1', 1235, [])], 1);
    expect(await totalCount('E@1')).toBe(5);
    expect(await rowOf('uuid-123')).toEqual({ 'E@1': 1235, 'naïve “key” \\': 1231 });
  });

  it('keeps every key of a target in its row when a batch moves one, also read back after the caches dropped it or a restart', async () => {
    await readModel.open();
    const tiny: CacheBounds = { ...DEFAULT_CACHE_BOUNDS, targetTotals: 1 };
    const store = new ProjectionStore(db(), PROJECTOR_CHECKPOINT, tiny);
    await store.checkpoint();
    await applyBatch(store, [snapshot(SERVICE, 'A', 'k1', 3, []), snapshot(SERVICE, 'A', 'k2', 4, [])], 1);
    // Holding one total at most, the cache drops A (two keys) at once; B makes sure of it.
    await applyBatch(store, [snapshot(SERVICE, 'B', 'k1', 1, [])], 2);
    await applyBatch(store, [snapshot(SERVICE, 'A', 'k1', 5, [])], 3);
    expect(await rowOf('A')).toEqual({ k1: 5, k2: 4 });
    // k2 is still known as 4: nothing new.
    await applyBatch(store, [snapshot(SERVICE, 'A', 'k2', 4, [])], 4);
    expect([await totalCount('k1'), await totalCount('k2')]).toEqual([3 + 1 + 2, 4]);

    const restarted = new ProjectionStore(db());
    await restarted.checkpoint();
    await applyBatch(restarted, [snapshot(SERVICE, 'A', 'k2', 6, []), snapshot(SERVICE, 'A', 'k3', 1, [])], 5);
    expect(await rowOf('A')).toEqual({ k1: 5, k2: 6, k3: 1 });
    expect([await totalCount('k1'), await totalCount('k2'), await totalCount('k3')]).toEqual([6, 6, 1]);
  });

  it('names the row whose totals it cannot read', async () => {
    await readModel.open();
    await db().fork().getKnex()('target_totals').insert({ id: rowId(SERVICE, 'A'), service: SERVICE, target_uuid: 'A', totals: '{"k1":"three"}' });
    const store = new ProjectionStore(db());
    await store.checkpoint();
    await expect(store.load([snapshot(SERVICE, 'A', 'k1', 5, [])])).rejects.toThrow(
      `target_totals row ${rowId(SERVICE, 'A')} (service "svc.one", target_uuid "A"): the total of "k1" is "three", not a count`,
    );
  });
});
