import { parseConfig } from '../../src/config/index.js';
import type { RepositoryConfig } from '../../src/config/config.types.js';
import type { PeriskopEvent } from '../../src/events/events.js';
import { apply, type ProjectionState } from '../../src/projector/projection.js';
import type { ProjectionStore } from '../../src/read-model/projection-store.js';
import { ReadModelDatabase } from '../../src/read-model/read-model-database.js';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './test-databases.js';

/**
 * A database of `kind` of its own for each test of the describe block calling this, dropped
 * after it, and the read model opened on it when a test asks (`open`, migrated).
 */
export function readModelPerTest(kind: DatabaseKind): { repository(): RepositoryConfig; open(): Promise<ReadModelDatabase>; db(): ReadModelDatabase } {
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

  return {
    repository,
    open: async () => {
      db = await ReadModelDatabase.create(repository());
      await db.ready();
      return db;
    },
    db: () => {
      if (!db) throw new Error('the read model is not open: call open() first');
      return db;
    },
  };
}

/** The working set of a batch of `events`, loaded and folded as the live projector does. */
export async function foldBatch(store: ProjectionStore, events: PeriskopEvent[]): Promise<ProjectionState> {
  const state = await store.load(events);
  for (const event of events) apply(state, event);
  return state;
}

/** Applies the events as one batch and commits it, as the live projector does. */
export async function applyBatch(store: ProjectionStore, events: PeriskopEvent[], throughSeq: number): Promise<void> {
  await store.commit(await foldBatch(store, events), throughSeq);
}
