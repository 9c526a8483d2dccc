import Database from 'better-sqlite3';
import { parseConfig } from '../src/config/index.js';
import { EventStore } from '../src/events/event-store.js';
import type { PeriskopEvent } from '../src/events/events.js';
import type { JetStreamEventLog } from '../src/events/jetstream-event-log.js';
import { Projector } from '../src/projector/projector.js';
import type { ProjectionState } from '../src/projector/projection.js';
import { ProjectionStore } from '../src/read-model/projection-store.js';
import { ReadModelDatabase } from '../src/read-model/read-model-database.js';
import { ReadModelQueries } from '../src/read-model/read-model-queries.js';
import { applyBatch, foldBatch } from './support/read-model-per-test.js';
import { snapshot } from './support/scraped-snapshot.js';
import { createTestDatabase, type TestDatabase } from './support/test-databases.js';
import { openTestJetStreamLog, type TestEventLog } from './support/test-event-logs.js';
import { waitFor } from './support/wait-for.js';

// The live projector acknowledges a batch once it is handed over to be written, and folds the
// next one while the SQLite writer thread commits it (ProjectionStore.handOver). A write that
// fails there must cost nothing: the projector consumes again from the read model's checkpoint.
// The failure is real: another connection renames a table the write needs, then renames it back.

function snapshotOf(total: number): PeriskopEvent {
  return snapshot('checkout', 'a', 'Boom@checkout', total, [{ uuid: `occurrence-${total}`, at: 1_700_000_000_000 + total }]);
}

/** Counts the writes that failed after being handed over. */
class WatchedStore extends ProjectionStore {
  failedWrites = 0;

  override async handOver(state: ProjectionState, throughSeq: number): Promise<{ committed: Promise<void> }> {
    const handed = await super.handOver(state, throughSeq);
    handed.committed.catch(() => this.failedWrites++);
    return handed;
  }
}

describe('a live batch whose write fails after it was handed over', () => {
  let database: TestDatabase;
  let log: TestEventLog<JetStreamEventLog>;
  let db: ReadModelDatabase;
  let projector: Projector | undefined;

  beforeEach(async () => {
    database = await createTestDatabase('sqlite');
    log = await openTestJetStreamLog();
    db = await ReadModelDatabase.create(parseConfig({ repository: database.section, services: [] }, 'test.yaml').repository);
    await db.ready();
  });

  afterEach(async () => {
    await projector?.stop();
    await db.close();
    await log.cleanup();
    await database.drop();
  });

  async function publish(from: number, to: number): Promise<number> {
    const store = new EventStore(log.log);
    for (let total = from; total <= to; total++) await store.publish([{ id: `e-${total}`, event: snapshotOf(total) }]);
    return log.log.head();
  }

  it('is folded again from the read model checkpoint with the batches after it: nothing lost, nothing counted twice', async () => {
    expect(db.writerThread()).not.toBeNull();
    const store = new WatchedStore(db);
    projector = new Projector(new EventStore(log.log), store);
    await projector.start();
    const firstHead = await publish(1, 5);
    await projector.waitFor(firstHead);

    // Another connection to the file takes a table away while the projector is idle.
    const other = new Database(database.section.path!);
    other.exec('alter table occurrence_bucket rename to occurrence_bucket_away');
    const head = await publish(6, 40);
    await waitFor(() => store.failedWrites > 0, 10_000, 'a handed-over write to fail');
    expect(projector.checkpoint).toBe(firstHead);

    other.exec('alter table occurrence_bucket_away rename to occurrence_bucket');
    other.close();
    await projector.waitFor(head, 30_000);

    const [error] = await new ReadModelQueries(db).openErrors('checkout');
    expect(error?.totalCount).toBe(40);
    const uuids = error!.latestErrors.map((o) => o.uuid);
    expect(uuids).toHaveLength(40);
    expect(new Set(uuids).size).toBe(40);
    expect(uuids[0]).toBe('occurrence-40');
  });

  // The next batch's rows are laid out while the write before it is in flight (handOver).
  it('drops the batch handed over after it, laid out while it was being written, and both are folded again from the checkpoint', async () => {
    const store = new ProjectionStore(db);
    await applyBatch(store, [snapshotOf(1)], 1);
    // Writes fail, reads go on: a trigger refuses every new page.
    const other = new Database(database.section.path!);
    other.exec("create trigger refuse_pages before insert on occurrence_page begin select raise(abort, 'page refused by the test'); end");

    const first = await store.handOver(await foldBatch(store, [snapshotOf(2)]), 2);
    // Another error: its load reads the database at once, not after the write in flight.
    const other7 = snapshot('checkout', 'b', 'Other@checkout', 7, [{ uuid: 'other-7', at: 1_700_000_000_007 }]);
    const second = store.handOver(await foldBatch(store, [other7]), 3);
    await expect(first.committed).rejects.toThrow(/page refused by the test/);
    await expect(second).rejects.toThrow(/page refused by the test/);

    other.exec('drop trigger refuse_pages');
    other.close();
    expect(await store.checkpoint()).toBe(1);
    await applyBatch(store, [snapshotOf(2), other7], 3);
    const errors = await new ReadModelQueries(db).openErrors('checkout');
    expect(errors.map((e) => [e.aggregationKey, e.totalCount]).sort()).toEqual([
      ['Boom@checkout', 2],
      ['Other@checkout', 7],
    ]);
  });
});
