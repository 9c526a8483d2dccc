import type { ColumnValues } from './row-upsert.js';
import { packViews } from '../memory/packed-views.js';

// What one commit of the projector writes, recorded as data before any of it runs. Its values
// are fixed when the batch is handed over, so the next batch may fold (and change the objects
// the projection caches) while this one is written, by RowWriter in a knex transaction or by
// the SQLite writer thread (sqlite-writer.ts), to which a plan travels as a message.

/** A Uint8Array stands for its UTF-8 text, in a column of RowInserts.utf8Columns. */
export type RowValue = string | number | null | Uint8Array;

/** Rows of one table, as a column list and their values row after row (cheap to copy to a thread). */
export interface RowInserts {
  kind: 'upsert' | 'insertMissing' | 'insert';
  table: string;
  /** upsert replaces, insertMissing keeps, the row with the same value of this column. */
  conflict: string;
  columns: string[];
  /** columns.length values per row. */
  values: RowValue[];
  /**
   * Columns whose values may be UTF-8 bytes standing for their text (an occurrence as a
   * version 2 event carried it): written as text, never as a blob.
   */
  utf8Columns?: string[];
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
  /** Buffers the plan's byte values are views of that belong to the plan alone (RowWrites.adopt). */
  buffers: ArrayBuffer[];
  checkpoint: CheckpointMove;
}

/** Records writes in order; nothing runs until a plan is executed. */
export class RowWrites {
  readonly writes: RowWrite[] = [];
  readonly buffers: ArrayBuffer[] = [];

  /** `buffer` (which byte values are views of) is the plan's alone: moved with it to a thread, not copied. */
  adopt(buffer: ArrayBuffer): void {
    this.buffers.push(buffer);
  }

  upsert(table: string, rows: readonly ColumnValues[], conflict = 'id'): void {
    this.inserts('upsert', table, rows, conflict);
  }

  insertMissing(table: string, rows: readonly ColumnValues[], conflict = 'id', utf8Columns?: string[]): void {
    this.inserts('insertMissing', table, rows, conflict, utf8Columns);
  }

  insert(table: string, rows: readonly ColumnValues[], utf8Columns?: string[]): void {
    this.inserts('insert', table, rows, 'id', utf8Columns);
  }

  deleteWhereIn(table: string, column: string, values: readonly (string | number)[]): void {
    if (values.length > 0) this.writes.push({ kind: 'deleteWhereIn', table, column, values: [...values] });
  }

  deleteWhere(table: string, equals: Record<string, string | number>, below?: [string, number]): void {
    this.writes.push({ kind: 'deleteWhere', table, equals: Object.entries(equals), ...(below ? { below } : {}) });
  }

  private inserts(kind: RowInserts['kind'], table: string, rows: readonly ColumnValues[], conflict: string, utf8Columns?: string[]): void {
    if (rows.length === 0) return;
    this.writes.push({ kind, table, conflict, ...flatRows(rows), ...(utf8Columns ? { utf8Columns } : {}) });
  }
}

/**
 * What to transfer with a plan sent to a thread: the buffers it adopted, and one into which
 * its other byte values are copied (in place: they become views of it).
 * Those are views into log messages, which a structured clone would copy whole for every view.
 */
export function packBytes(plan: Pick<WritePlan, 'writes' | 'buffers'>): ArrayBuffer[] {
  const adopted = new Set(plan.buffers);
  const places: { values: RowValue[]; at: number }[] = [];
  for (const write of plan.writes) {
    if (write.kind === 'deleteWhere' || write.kind === 'deleteWhereIn') continue;
    write.values.forEach((value, at) => {
      if (value instanceof Uint8Array && !adopted.has(value.buffer as ArrayBuffer)) places.push({ values: write.values, at });
    });
  }
  if (places.length === 0) return [...adopted];
  const packed = packViews(places.map(({ values, at }) => values[at] as Uint8Array));
  places.forEach(({ values, at }, i) => (values[at] = packed[i]!));
  return [...adopted, packed[0]!.buffer as ArrayBuffer];
}

/** The rows' values in the first row's column order. */
export function flatRows(rows: readonly ColumnValues[]): { columns: string[]; values: RowValue[] } {
  const columns = Object.keys(rows[0] ?? {});
  const values = new Array<RowValue>(rows.length * columns.length);
  let at = 0;
  for (const row of rows) for (const column of columns) values[at++] = row[column] ?? null;
  return { columns, values };
}
