import { statSync } from 'node:fs';
import { parseConfig } from '../src/config/index.js';
import { ReadModelDatabase } from '../src/read-model/read-model-database.js';
import { RowWriter } from '../src/read-model/row-upsert.js';
import { rowId } from '../src/read-model/row-id.js';
import { createTestDatabase, type TestDatabase } from './support/test-databases.js';

// A SQLite read model's write-ahead log is checkpointed by a thread of its own
// (wal-checkpointer.ts), so the writer's commits do not copy it: the log still starts over
// once copied, and does not grow with every commit up to the writer's backstop (160 MB).

const TRANSACTION_BYTES = 8 * 1024 * 1024;
const TRANSACTIONS = 4;

describe('WAL checkpoints of a SQLite read model', () => {
  let database: TestDatabase;
  let db: ReadModelDatabase;
  let path: string;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    path = database.section['path']!;
    db = await ReadModelDatabase.create(parseConfig({ repository: database.section, services: [] }, 'test.yaml').repository);
    await db.ready();
  });

  afterAll(async () => {
    await db.close();
    await database.drop();
  });

  it('keeps the log near one transaction long while transactions commit one after another', async () => {
    const text = 'x'.repeat(2_000);
    const perTransaction = Math.ceil(TRANSACTION_BYTES / text.length);
    for (let t = 0; t < TRANSACTIONS; t++) {
      await db.fork().transactional((em) =>
        new RowWriter(em).insert(
          'occurrence_page',
          Array.from({ length: perTransaction }, (_, i) => ({ id: rowId(String(t), String(i)), aggregate_id: rowId('a'), newest: i, identities: `[["u${t}.${i}",${i}]]`, occurrences: text })),
        ),
      );
      // The thread checkpoints every 100 ms; a live projector commits every few hundred.
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    const written = TRANSACTIONS * perTransaction * text.length;
    const log = statSync(`${path}-wal`).size;
    expect(log).toBeLessThan(written / 2);
    expect(statSync(path).size).toBeGreaterThan(written);
    const count = (await db.fork().getKnex()('occurrence_page').count({ n: '*' })) as { n: number }[];
    expect(Number(count[0]!.n)).toBe(TRANSACTIONS * perTransaction);
  }, 30_000);
});
