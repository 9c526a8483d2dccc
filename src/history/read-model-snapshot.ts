import { gunzipSync, gzipSync } from 'node:zlib';
import { BetterSqlitePlatform } from '@mikro-orm/better-sqlite';
import { BigIntType, IsolationLevel, type EntityProperty, type EntitySchema, type Platform } from '@mikro-orm/core';
import { CheckpointEntity, READ_MODEL_ENTITIES } from '../read-model/entities.js';
import { PROJECTOR_CHECKPOINT } from '../read-model/projection-store.js';
import type { ReadModelDatabase } from '../read-model/read-model-database.js';
import { rowId } from '../read-model/row-id.js';
import { RowWriter } from '../read-model/row-upsert.js';
import { withOccurrencePages } from './occurrence-pages-of-old-snapshot.js';
import { withTargetTotals } from './target-totals-of-old-snapshot.js';

// A read-model snapshot: every row of every read-model table (the checkpoint table aside: the
// snapshot records the sequence instead) as of one log sequence, taken in one consistent read.
// Tables come from the entity list, so a table added there is in the next snapshot without a
// change here. Encoded as gzip JSON lines: a header, then one line per row with the service
// it belongs to, so time travel can restore one service's rows alone.

const FORMAT = 'periskop-read-model-snapshot';
const VERSION = 1;
const PAGE = 2_000;

export interface SnapshotRow {
  table: string;
  /** The service the row belongs to; null for a row of no one service (restored for all). */
  service: string | null;
  row: Record<string, unknown>;
}

export interface ReadModelSnapshot {
  seq: number;
  /** Newest event time (epoch ms) among the events the snapshot covers. */
  at: number;
  tables: string[];
  rows: SnapshotRow[];
}

type AnySchema = EntitySchema<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The tables a snapshot holds: every read-model table but the checkpoints. */
export function snapshotTables(entities: readonly AnySchema[] = READ_MODEL_ENTITIES): AnySchema[] {
  return entities.filter((schema) => schema.meta.tableName !== CheckpointEntity.meta.tableName);
}

function primaryKeyOf(schema: AnySchema): string {
  const keys = Object.entries(schema.meta.properties).filter(([, p]) => p.primary).map(([name]) => name);
  if (keys.length !== 1) throw new Error(`table ${schema.meta.tableName}: a snapshot needs a single-column primary key`);
  return keys[0]!;
}

/**
 * Reads the whole read model and the checkpoint in one repeatable-read transaction, so the
 * rows are exactly those as of the checkpoint even while the projector goes on.
 */
export async function dumpReadModel(db: ReadModelDatabase): Promise<Omit<ReadModelSnapshot, 'at'>> {
  const tables = snapshotTables();
  const em = db.fork();
  // SQLite transactions are serializable already (and it warns when told a level).
  const isolation = em.getPlatform() instanceof BetterSqlitePlatform ? {} : { isolationLevel: IsolationLevel.REPEATABLE_READ };
  return em.transactional(
    async (em) => {
      const checkpoint = await em.findOne(CheckpointEntity, { name: PROJECTOR_CHECKPOINT }, { disableIdentityMap: true });
      const raw: { table: string; row: Record<string, unknown> }[] = [];
      for (const schema of tables) {
        const key = primaryKeyOf(schema);
        for (let last: unknown = undefined; ; ) {
          const page = await em.find(schema, last === undefined ? {} : { [key]: { $gt: last } }, {
            orderBy: { [key]: 'asc' },
            limit: PAGE,
            disableIdentityMap: true,
          });
          for (const entity of page) raw.push({ table: schema.meta.tableName, row: { ...(entity as Record<string, unknown>) } });
          if (page.length < PAGE) break;
          last = (page.at(-1) as Record<string, unknown>)[key];
        }
      }
      return { seq: checkpoint?.seq ?? 0, tables: tables.map((s) => s.meta.tableName), rows: withServices(raw) };
    },
    isolation,
  );
}

/** Which service each row belongs to: its `service`, or the owner of the row it refers to. */
function withServices(raw: { table: string; row: Record<string, unknown> }[]): SnapshotRow[] {
  const owners = new Map<string, string>();
  for (const { row } of raw) {
    if (typeof row.id !== 'string') continue;
    if (typeof row.service === 'string') owners.set(row.id, row.service);
    else if (typeof row.name === 'string' && row.id === rowId(row.name)) owners.set(row.id, row.name);
  }
  return raw.map(({ table, row }) => {
    const owner =
      (typeof row.service === 'string' ? row.service : undefined) ??
      (typeof row.id === 'string' ? owners.get(row.id) : undefined) ??
      (typeof row.serviceId === 'string' ? owners.get(row.serviceId) : undefined) ??
      (typeof row.aggregateId === 'string' ? owners.get(row.aggregateId) : undefined);
    return { table, service: owner ?? null, row };
  });
}

export function encodeSnapshot(snapshot: ReadModelSnapshot): Uint8Array {
  const header = JSON.stringify({ format: FORMAT, version: VERSION, seq: snapshot.seq, at: snapshot.at, tables: snapshot.tables });
  const lines = [header, ...snapshot.rows.map((r) => JSON.stringify({ t: r.table, s: r.service, r: r.row }))];
  return gzipSync(lines.join('\n') + '\n');
}

export function decodeSnapshot(data: Uint8Array, name: string): ReadModelSnapshot {
  const lines = gunzipSync(data).toString('utf8').split('\n');
  const parse = (index: number): Record<string, unknown> => {
    try {
      return JSON.parse(lines[index]!) as Record<string, unknown>;
    } catch (error) {
      throw new Error(`snapshot ${name}, line ${index + 1}: not JSON (${(error as Error).message})`);
    }
  };
  const header = parse(0);
  if (header.format !== FORMAT || header.version !== VERSION) {
    throw new Error(`snapshot ${name} is not a ${FORMAT} version ${VERSION} (header ${lines[0]!.slice(0, 200)})`);
  }
  const rows: SnapshotRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const line = parse(i);
    rows.push({ table: String(line.t), service: typeof line.s === 'string' ? line.s : null, row: line.r as Record<string, unknown> });
  }
  return withTargetTotals(withOccurrencePages({ seq: Number(header.seq), at: Number(header.at), tables: header.tables as string[], rows }, name), name);
}

/** Why a snapshot cannot stand in for the log up to its sequence; null when it can. */
export function unusableBecause(snapshot: Pick<ReadModelSnapshot, 'tables'>): string | null {
  const missing = snapshotTables()
    .map((s) => s.meta.tableName)
    .filter((table) => !snapshot.tables.includes(table));
  return missing.length > 0 ? `it predates the table(s) ${missing.join(', ')}` : null;
}

/**
 * Writes rows of a snapshot into an empty read model and sets the checkpoint to the
 * snapshot's sequence, in one transaction. Rows of tables this version does not have are left out.
 * Inserted with bound parameters (row-upsert.ts): through MikroORM's query builder every value
 * was inlined into the SQL, and an error's hundred occurrence rows made time travel's restore
 * the larger part of its answer.
 */
export async function restoreRows(db: ReadModelDatabase, seq: number, rows: readonly SnapshotRow[]): Promise<void> {
  const schemas = new Map(snapshotTables().map((s) => [s.meta.tableName, s]));
  const byTable = new Map<string, Record<string, unknown>[]>();
  for (const { table, row } of rows) {
    if (!schemas.has(table)) continue;
    let list = byTable.get(table);
    if (!list) byTable.set(table, (list = []));
    list.push(row);
  }
  await db.fork().transactional(async (em) => {
    const writer = new RowWriter(em);
    const platform = em.getPlatform();
    for (const [table, list] of byTable) {
      const properties = Object.values(em.getMetadata().get(schemas.get(table)!.meta.className).properties);
      await writer.insert(
        table,
        list.map((row) => Object.fromEntries(properties.map((p) => [p.fieldNames[0]!, databaseValue(p, row[p.name], platform)]))),
      );
    }
    await em.createQueryBuilder(CheckpointEntity).insert({ name: PROJECTOR_CHECKPOINT, seq }).onConflict('name').merge().execute();
  });
}

/** A snapshot row's value as its column stores it (JSON documents serialised; epoch ms bound as numbers). */
function databaseValue(property: EntityProperty, value: unknown, platform: Platform): string | number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && property.customType instanceof BigIntType) return value;
  return (property.customType ? property.customType.convertToDatabaseValue(value, platform) : value) as string | number;
}
