import { parseConfig } from '../src/config/index.js';
import { EventStore } from '../src/events/event-store.js';
import type { PeriskopEvent, RecordedEvent } from '../src/events/events.js';
import { Projector } from '../src/projector/projector.js';
import { CheckpointMoved, ProjectionStore } from '../src/read-model/projection-store.js';
import { ReadModelDatabase } from '../src/read-model/read-model-database.js';
import { ReadModelQueries } from '../src/read-model/read-model-queries.js';
import { createTestDatabase, type TestDatabase } from './support/test-databases.js';
import { openTestEmbeddedLog, type TestEventLog } from './support/test-event-logs.js';
import type { EmbeddedEventLog } from '../src/events/embedded-event-log.js';
import { DEFAULT_PROJECTION_OPTIONS } from '../src/projector/projection-options.js';

// Fencing: two projectors of one partition (a lease handed over while a batch was in flight)
// share a checkpoint row that only moves from the value its writer expects, so a batch is
// never applied twice. On the shared databases a cluster uses, and on SQLite, whose writes run
// on a thread of their own (sqlite-writer.ts).

const CHECKPOINT = 'projector.p1';

function snapshot(total: number, uuid: string): PeriskopEvent {
  return {
    type: 'SnapshotScraped',
    version: 1,
    service: 'checkout',
    at: 1_000,
    data: {
      target: 'http://a:1/errors',
      target_uuid: 'a',
      source: 'scrape',
      aggregated_errors: [
        {
          aggregation_key: 'Boom@checkout',
          total_count: total,
          severity: 'error',
          created_at: null,
          latest_errors: [
            {
              error: { class: 'Boom', message: 'boom', stacktrace: [], cause: null },
              uuid,
              timestamp: 1_700_000_000_000,
              severity: 'error',
              http_context: null,
            },
          ],
        },
      ],
    },
  };
}

describe.each(['sqlite', 'postgres', 'mysql'] as const)('projectors of one partition are fenced by the checkpoint on %s', (kind) => {
  let database: TestDatabase;
  let log: TestEventLog<EmbeddedEventLog>;
  let db: ReadModelDatabase;

  beforeEach(async () => {
    database = await createTestDatabase(kind);
    log = await openTestEmbeddedLog();
    db = await ReadModelDatabase.create(parseConfig({ repository: database.section, services: [] }, 'test.yaml').repository);
    await db.ready();
  });

  afterEach(async () => {
    await db.close();
    await log.cleanup();
    await database.drop();
  });

  async function totalOfCheckout(): Promise<number> {
    const [error] = await new ReadModelQueries(db).openErrors('checkout');
    return error?.totalCount ?? 0;
  }

  const projector = (store: ProjectionStore) => new Projector(new EventStore(log.log), store, DEFAULT_PROJECTION_OPTIONS, { consumer: 'unused', rebuildWhenAhead: false });

  async function openKeys(): Promise<string[]> {
    return (await new ReadModelQueries(db).openErrors('checkout')).map((e) => e.aggregationKey);
  }

  const resolved: PeriskopEvent = { type: 'ErrorResolved', version: 1, service: 'checkout', at: 2_000, data: { aggregation_key: 'Boom@checkout' } };

  it('rolls back a batch of a projector another one overtook, and resumes from the fresh read model', async () => {
    const [older, newer] = [new ProjectionStore(db, CHECKPOINT), new ProjectionStore(db, CHECKPOINT)];
    const first = projector(older);
    await older.checkpoint();
    await first.applyBatch([{ seq: 4, event: snapshot(3, 'u1') }], 10);
    expect(await totalOfCheckout()).toBe(3);

    // The partition moves to another projector, which applies a resolve.
    const second = projector(newer);
    await newer.checkpoint();
    await second.applyBatch([{ seq: 12, event: resolved }], 12);
    expect(await openKeys()).toEqual([]);

    // The first still remembers the error unresolved; unfenced, it would write that back.
    const unchanged: RecordedEvent[] = [{ seq: 14, event: snapshot(3, 'u2') }];
    await expect(first.applyBatch(unchanged, 14)).rejects.toBeInstanceOf(CheckpointMoved);
    expect(await openKeys()).toEqual([]);
    expect(first.checkpoint).toBe(12);
    // Retried, the batch applies once, on what the other projector wrote.
    await first.applyBatch(unchanged, 14);
    expect(await openKeys()).toEqual([]);
    await expect(second.applyBatch(unchanged, 14)).rejects.toBeInstanceOf(CheckpointMoved);
    expect(await totalOfCheckout()).toBe(0);
  });

  it('lets only one of two first batches create the checkpoint row', async () => {
    const stores = [new ProjectionStore(db, CHECKPOINT), new ProjectionStore(db, CHECKPOINT)];
    for (const store of stores) expect(await store.checkpoint()).toBe(0);
    const results = await Promise.allSettled(stores.map((store) => projector(store).applyBatch([{ seq: 2, event: snapshot(4, 'u1') }], 2)));
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await totalOfCheckout()).toBe(4);
  });
});
