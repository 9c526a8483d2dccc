import type { ColumnValues } from './row-upsert.js';

// What one commit of the projector writes, recorded as data before any of it runs. Its values
// are fixed when the batch is handed over, so the next batch may fold (and change the objects
// the projection caches) while this one is written, by RowWriter in a knex transaction or by
// the SQLite writer thread (sqlite-writer.ts), to which a plan travels as a message.

export type RowValue = string | number | null;

/** Rows of one table, as a column list and their values row after row (cheap to copy to a thread). */
export interface RowInserts {
  kind: 'upsert' | 'insertMissing' | 'insert';
  table: string;
  /** upsert replaces, insertMissing keeps, the row with the same value of this column. */
  conflict: string;
  columns: string[];
  /** columns.length values per row. */
  values: RowValue[];
}

export interface RowDeletes {
  kind: 'deleteWhereIn';
  table: string;
  column: string;
  values: (string | number)[];
}

/** Deletes the rows whose `equals` columns have those values and, with `below`, whose column is under it. */
export interface RowRangeDeletes {
  kind: 'deleteWhere';
  table: string;
  equals: [column: string, value: string | number][];
  below?: [column: string, value: number];
}

export type RowWrite = RowInserts | RowDeletes | RowRangeDeletes;

/** The checkpoint row moves from `expected` to `seq` in the same transaction, or the whole write fails. */
export interface CheckpointMove {
  table: string;
  name: string;
  expected: number;
  seq: number;
}

export interface WritePlan {
  writes: RowWrite[];
  checkpoint: CheckpointMove;
}

/** Records writes in order; nothing runs until a plan is executed. */
export class RowWrites {
  readonly writes: RowWrite[] = [];

  upsert(table: string, rows: readonly ColumnValues[], conflict = 'id'): void {
    this.inserts('upsert', table, rows, conflict);
  }

  insertMissing(table: string, rows: readonly ColumnValues[], conflict = 'id'): void {
    this.inserts('insertMissing', table, rows, conflict);
  }

  insert(table: string, rows: readonly ColumnValues[]): void {
    this.inserts('insert', table, rows, 'id');
  }

  deleteWhereIn(table: string, column: string, values: readonly (string | number)[]): void {
    if (values.length > 0) this.writes.push({ kind: 'deleteWhereIn', table, column, values: [...values] });
  }

  deleteWhere(table: string, equals: Record<string, string | number>, below?: [string, number]): void {
    this.writes.push({ kind: 'deleteWhere', table, equals: Object.entries(equals), ...(below ? { below } : {}) });
  }

  private inserts(kind: RowInserts['kind'], table: string, rows: readonly ColumnValues[], conflict: string): void {
    if (rows.length === 0) return;
    this.writes.push({ kind, table, conflict, ...flatRows(rows) });
  }
}

/** The rows' values in the first row's column order. */
export function flatRows(rows: readonly ColumnValues[]): { columns: string[]; values: RowValue[] } {
  const columns = Object.keys(rows[0] ?? {});
  const values = new Array<RowValue>(rows.length * columns.length);
  let at = 0;
  for (const row of rows) for (const column of columns) values[at++] = row[column] ?? null;
  return { columns, values };
}
