import { CheckpointEntity } from '../read-model/entities.js';
import type { ReadModelDatabase } from '../read-model/read-model-database.js';

// The per-partition checkpoint rows, read by any replica (it may not run that projector) and
// aligned after a full replay, which applies every partition at once.

export async function readCheckpoints(db: ReadModelDatabase, names: string[]): Promise<Map<string, number>> {
  const rows = await db.read((em) => em.find(CheckpointEntity, { name: { $in: names } }, { disableIdentityMap: true }));
  return new Map(names.map((name) => [name, rows.find((row) => row.name === name)?.seq ?? 0]));
}

export async function writeCheckpoints(db: ReadModelDatabase, names: string[], seq: number): Promise<void> {
  await db.fork().transactional(async (em) => {
    for (const name of names) await em.createQueryBuilder(CheckpointEntity).insert({ name, seq }).onConflict('name').merge().execute();
  });
}
