import type { CheckpointMove, RowInserts, RowRangeDeletes, RowWrite, RowValue } from './row-writes.js';
import { preparedStatement, rowGroups, type SqliteConnection } from './sqlite-statements.js';

// A plan's writes run on a better-sqlite3 connection, synchronously: by RowWriter on the
// transaction's connection, and by the writer thread (sqlite-writer.ts) on its own.

// On SQLite (prepared statements): the most values one statement deletes by.
const WIDEST_DELETE = 512;

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** The checkpoint row was not at the value the plan expected (another projector moved it). */
export class CheckpointNotAt extends Error {
  constructor(readonly move: CheckpointMove) {
    super(`checkpoint ${move.name} is no longer at ${move.expected}`);
  }
}

export function runSqliteWrite(connection: SqliteConnection, write: RowWrite): void {
  switch (write.kind) {
    case 'upsert':
    case 'insertMissing':
    case 'insert':
      insertRows(connection, write);
      return;
    case 'deleteWhereIn': {
      const head = `delete from ${quote(write.table)} where ${quote(write.column)} in (`;
      let at = 0;
      for (const size of rowGroups(write.values.length, WIDEST_DELETE)) {
        preparedStatement(connection, head + placeholders(size) + ')').run(write.values.slice(at, (at += size)));
      }
      return;
    }
    case 'deleteWhere':
      preparedStatement(connection, deleteWhereSql(write)).run([...write.equals.map(([, value]) => value), ...(write.below ? [write.below[1]] : [])]);
      return;
    default: {
      const unknown: never = write;
      throw new Error(`unknown row write ${JSON.stringify(unknown)}`);
    }
  }
}

/** Moves the checkpoint row as the plan says, or throws CheckpointNotAt. */
export function moveSqliteCheckpoint(connection: SqliteConnection, move: CheckpointMove): void {
  const table = quote(move.table);
  if (move.expected === 0) {
    // A concurrent first insert fails on the primary key and rolls the batch back.
    if (preparedStatement(connection, `select 1 from ${table} where "name" = ?`).get([move.name]) !== undefined) throw new CheckpointNotAt(move);
    preparedStatement(connection, `insert into ${table} ("name", "seq") values (?, ?)`).run([move.name, move.seq]);
    return;
  }
  const { changes } = preparedStatement(connection, `update ${table} set "seq" = ? where "name" = ? and "seq" = ?`).run([move.seq, move.name, move.expected]);
  if (changes !== 1) throw new CheckpointNotAt(move);
}

/**
 * One single-row statement per row: as fast in SQLite as one statement of all of them
 * (measured, 60,000 occurrence rows), faster than any size in between, and one text to prepare.
 */
function insertRows(connection: SqliteConnection, { kind, table, conflict, columns, values, utf8Columns }: RowInserts): void {
  if (values.length === 0) return;
  // Bytes bound as they are would be stored as a blob: cast to text (SQLite copies them as UTF-8).
  const slots = columns.map((c) => (utf8Columns?.includes(c) ? 'CAST(? AS TEXT)' : '?')).join(', ');
  const statement = preparedStatement(connection, `insert into ${quote(table)} (${columns.map(quote).join(', ')}) values (${slots})${conflictClause(kind, conflict, columns)}`);
  const width = columns.length;
  const bindings = new Array<RowValue>(width);
  for (let at = 0; at < values.length; at += width) {
    for (let i = 0; i < width; i++) bindings[i] = values[at + i]!;
    statement.run(bindings);
  }
}

function conflictClause(kind: 'upsert' | 'insertMissing' | 'insert', conflict: string, columns: string[]): string {
  if (kind === 'insert') return '';
  if (kind === 'insertMissing') return ` on conflict (${quote(conflict)}) do nothing`;
  const updated = columns.filter((c) => c !== conflict).map(quote);
  return ` on conflict (${quote(conflict)}) do update set ${updated.map((c) => `${c} = excluded.${c}`).join(', ')}`;
}

function deleteWhereSql(write: RowRangeDeletes): string {
  const conditions = write.equals.map(([column]) => `${quote(column)} = ?`);
  if (write.below) conditions.push(`${quote(write.below[0])} < ?`);
  return `delete from ${quote(write.table)} where ${conditions.join(' and ')}`;
}

function placeholders(count: number): string {
  return Array(count).fill('?').join(', ');
}
