import { parseConfig } from '../src/config/index.js';
import { ReadModelDatabase } from '../src/read-model/read-model-database.js';
import { rowId } from '../src/read-model/row-id.js';
import { RowWriter, type ColumnValues } from '../src/read-model/row-upsert.js';
import { RowWrites } from '../src/read-model/row-writes.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from './support/test-databases.js';

// RowWriter's writes on each database. On SQLite they run prepared statements of their own
// (sqlite-statements.ts) instead of knex's: the rows must come out the same everywhere.

const ROWS = 1_100; // more than one statement's worth of deleted ids (512), and an odd rest

/** An occurrence_page row standing for the i-th page of one error, `text` its occurrences. */
function pageRow(i: number, text: string | Uint8Array): ColumnValues {
  return { id: rowId('svc', 'K', `u${i}`, String(i)), aggregate_id: rowId('svc', 'K'), newest: 1_700_000_000_000 + i, identities: JSON.stringify([[`u${i}`, i]]), occurrences: text };
}

describe.each(DATABASE_KINDS)('RowWriter on %s', (kind) => {
  let database: TestDatabase;
  let db: ReadModelDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = await ReadModelDatabase.create(parseConfig({ repository: database.section, services: [] }, 'test.yaml').repository);
    await db.ready();
  });

  afterAll(async () => {
    await db.close();
    await database.drop();
  });

  async function stored(): Promise<{ uuid: string; timestamp: number; occurrence: string }[]> {
    const rows = (await db.fork().getKnex()('occurrence_page').select('identities', 'newest', 'occurrences')) as { identities: string; newest: number | string; occurrences: string }[];
    return rows
      .map((r) => ({ uuid: (JSON.parse(r.identities) as [string][])[0]![0], timestamp: Number(r.newest), occurrence: r.occurrences }))
      .sort((a, b) => a.timestamp - b.timestamp);
  }

  it('inserts, keeps, replaces and deletes rows in one transaction each', async () => {
    const all = Array.from({ length: ROWS }, (_, i) => i);
    await db.fork().transactional((em) => new RowWriter(em).insertMissing('occurrence_page', all.map((i) => pageRow(i, `{"n":${i},"text":"ünï ✓ \\"q\\""}`))));
    expect(await stored()).toHaveLength(ROWS);

    // insertMissing keeps what is there; upsert replaces it.
    await db.fork().transactional(async (em) => {
      const writer = new RowWriter(em);
      await writer.insertMissing('occurrence_page', [pageRow(0, 'kept?')]);
      await writer.upsert('occurrence_page', [pageRow(1, 'replaced'), pageRow(ROWS, 'new')]);
    });
    const after = await stored();
    expect(after).toHaveLength(ROWS + 1);
    expect(after[0]!.occurrence).toBe('{"n":0,"text":"ünï ✓ \\"q\\""}');
    expect(after[1]!.occurrence).toBe('replaced');
    expect(after.at(-1)).toEqual({ uuid: `u${ROWS}`, timestamp: 1_700_000_000_000 + ROWS, occurrence: 'new' });

    // Every other row goes, by id; the rest stay untouched.
    const gone = all.filter((i) => i % 2 === 1);
    await db.fork().transactional((em) => new RowWriter(em).deleteWhereIn('occurrence_page', 'id', gone.map((i) => pageRow(i, '').id as string)));
    const left = await stored();
    expect(left.map((r) => r.uuid)).toEqual([...all.filter((i) => i % 2 === 0), ROWS].map((i) => `u${i}`));
  });

  it('writes UTF-8 bytes as the text they stand for, in a transaction and on the SQLite writer thread', async () => {
    const text = '{"n":"ünï ✓ 🚀 \\"q\\""}';
    const message = Buffer.from(`${text}{"n":2}the rest of a log message`);
    const cut = Buffer.byteLength(text);
    const plan = (first: number) => {
      const writes = new RowWrites();
      writes.insertMissing('occurrence_page', [pageRow(first, message.subarray(0, cut)), pageRow(first + 1, message.subarray(cut, cut + 7))], 'id', ['occurrences']);
      return writes.writes;
    };
    await db.fork().transactional((em) => new RowWriter(em).apply(plan(10_000)));
    const thread = db.writerThread();
    expect(thread !== null).toBe(kind === 'sqlite');
    if (thread) await thread.write({ writes: plan(20_000), buffers: [], checkpoint: { table: 'checkpoint', name: 'row-writer-test', expected: 0, seq: 1 } });
    const written = (await stored()).filter((r) => r.uuid === 'u10000' || r.uuid === 'u10001' || r.uuid === 'u20000' || r.uuid === 'u20001');
    expect(written.map((r) => r.occurrence)).toEqual((thread ? [1, 2] : [1]).flatMap(() => [text, '{"n":2}']));
    if (kind !== 'sqlite') return;
    const types = (await db.fork().getKnex().raw('select distinct typeof(occurrences) as type from occurrence_page')) as { type: string }[];
    expect(types).toEqual([{ type: 'text' }]);
  });

  it('writes nothing when the transaction fails', async () => {
    const before = await stored();
    await expect(
      db.fork().transactional(async (em) => {
        const writer = new RowWriter(em);
        await writer.upsert('occurrence_page', [pageRow(0, 'lost')]);
        await writer.deleteWhereIn('occurrence_page', 'id', [pageRow(2, '').id as string]);
        throw new Error('batch failed');
      }),
    ).rejects.toThrow('batch failed');
    expect(await stored()).toEqual(before);
  });
});
