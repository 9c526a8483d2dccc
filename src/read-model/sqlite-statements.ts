import type { Knex } from '@mikro-orm/knex';

// On SQLite the read model's writes skip knex. knex.raw formats each statement's SQL and
// bindings and has better-sqlite3 prepare it anew on every call, and a projector batch makes
// dozens of such calls, each with another number of rows, so no text ever repeated. Here each
// statement is prepared once per connection: inserts run a single-row statement per row, and
// deletes by key bind their keys in lists of a few fixed lengths (rowGroups), so the same texts
// come back batch after batch.

/** better-sqlite3's Database, as far as the writes use it. */
export interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}

export interface SqliteStatement {
  run(bindings: readonly SqliteValue[]): { changes: number };
  get(bindings: readonly SqliteValue[]): unknown;
}

// better-sqlite3 binds any Uint8Array as a blob.
export type SqliteValue = string | number | bigint | Uint8Array | null;

/** Whether the knex client is better-sqlite3's (the read model's `sqlite` and `memory` types). */
export function isBetterSqlite(knex: Knex): boolean {
  return (knex.client as { driverName?: string }).driverName === 'better-sqlite3';
}

/** The connection a transaction runs on (a transaction's client hands out only its own). */
export async function transactionConnection(trx: Knex): Promise<SqliteConnection> {
  return (await trx.client.acquireConnection()) as SqliteConnection;
}

const preparedBy = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();

/** The statement of `sql` on `connection`, prepared on first use. */
export function preparedStatement(connection: SqliteConnection, sql: string): SqliteStatement {
  let prepared = preparedBy.get(connection);
  if (!prepared) preparedBy.set(connection, (prepared = new Map()));
  let statement = prepared.get(sql);
  if (!statement) prepared.set(sql, (statement = connection.prepare(sql)));
  return statement;
}

/**
 * How many rows each statement of a write of `count` rows takes: as many of `widest` as fit,
 * then the rest as powers of two, largest first. A statement per power of two below `widest`
 * is all that is ever prepared, and no write runs more than log2(widest) small ones.
 */
export function rowGroups(count: number, widest: number): number[] {
  const groups: number[] = [];
  let left = count;
  for (; left >= widest; left -= widest) groups.push(widest);
  for (let size = highestPowerOfTwo(widest); size >= 1; size >>= 1) {
    if (left >= size) {
      groups.push(size);
      left -= size;
    }
  }
  return groups;
}

function highestPowerOfTwo(n: number): number {
  let power = 1;
  while (power * 2 <= n) power *= 2;
  return power;
}
