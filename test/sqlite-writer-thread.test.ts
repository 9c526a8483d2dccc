import { parseConfig } from '../src/config/index.js';
import { ReadModelDatabase } from '../src/read-model/read-model-database.js';
import { createTestDatabase, type TestDatabase } from './support/test-databases.js';

// A SQLite read model's commits run on a thread of its own (sqlite-writer.ts). Starting it (a
// new isolate, its modules, its connection) belongs to opening the read model, not to the
// first batches' commits.

describe('the SQLite writer thread', () => {
  let database: TestDatabase;
  let db: ReadModelDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    db = await ReadModelDatabase.create(parseConfig({ repository: database.section, services: [] }, 'test.yaml').repository);
  });

  afterAll(async () => {
    await db.close();
    await database.drop();
  });

  it('is up once the read model is ready', async () => {
    await db.ready();
    const thread = db.writerThread();
    expect(thread).not.toBeNull();
    expect(thread!.up).toBe(true);
    expect(thread!.running).toBe(true);
  });
});
