import { MySqlPlatform, type Knex, type SqlEntityManager } from '@mikro-orm/knex';
import { isBetterSqlite, preparedStatement, rowGroups, transactionConnection, type SqliteConnection, type SqliteValue } from './sqlite-statements.js';

// Multi-row writes with bound parameters. MikroORM's query builder inlines every value into
// the SQL text: a batch of errors carrying 100 occurrences each became 10 MB statements that
// the database then had to parse (better-sqlite3's prepare alone was 16 % of a replay). Knex's
// own multi-row insert turns into `select … union all select …` on SQLite (500 rows at most).
// So the statement is built here: `insert … values (?, …), (?, …)` plus `on conflict (…) do
// update` (SQLite, PostgreSQL) or `on duplicate key update` (MySQL/MariaDB). On SQLite the
// statements are prepared once and run on the transaction's connection (sqlite-statements.ts).

/** A row as stored: snake_case column → value, JSON already serialised. */
export type ColumnValues = Record<string, string | number | null>;

// SQLite allows 32,766 bound parameters, PostgreSQL 65,535: chunks stay well under both.
const MAX_BINDINGS = 10_000;
// Rows carrying occurrence documents are large: keep statements to a few MB.
const MAX_STATEMENT_CHARS = 4_000_000;
// On SQLite (prepared statements, sqlite-statements.ts): the most values one statement deletes by.
const SQLITE_WIDEST_BINDINGS = 512;
/** Values bound in one `IN (…)` list: under SQLite's, PostgreSQL's and MySQL's bound-parameter limits. */
export const IN_LIST_CHUNK = 500;

/** Writes rows inside the projector's transaction. */
export class RowWriter {
  private readonly quote: (name: string) => string;
  private readonly mysql: boolean;
  private readonly sqlite: boolean;
  private sqliteConnection: SqliteConnection | null = null;

  constructor(private readonly em: SqlEntityManager) {
    const platform = em.getPlatform();
    this.mysql = platform instanceof MySqlPlatform;
    this.sqlite = isBetterSqlite(em.getKnex());
    this.quote = (name) => platform.quoteIdentifier(name);
  }

  /** The transaction's knex, so statements join the batch's transaction. */
  get knex(): Knex {
    const trx = this.em.getTransactionContext<Knex.Transaction>();
    if (!trx) throw new Error('read-model rows are written inside the projector transaction');
    return trx;
  }

  /** Inserts the rows, replacing the row with the same `conflict` key. */
  async upsert(table: string, rows: ColumnValues[], conflict = 'id'): Promise<void> {
    await this.insertWith(table, rows, (columns) => {
      const updated = columns.filter((c) => c !== conflict).map(this.quote);
      if (this.mysql) return ` on duplicate key update ${updated.map((c) => `${c} = values(${c})`).join(', ')}`;
      return ` on conflict (${this.quote(conflict)}) do update set ${updated.map((c) => `${c} = excluded.${c}`).join(', ')}`;
    });
  }

  /** Inserts the rows, keeping a row that already has the same `conflict` key. */
  async insertMissing(table: string, rows: ColumnValues[], conflict = 'id'): Promise<void> {
    if (this.mysql) {
      const key = this.quote(conflict);
      await this.insertWith(table, rows, () => ` on duplicate key update ${key} = ${key}`);
    } else {
      await this.insertWith(table, rows, () => ` on conflict (${this.quote(conflict)}) do nothing`);
    }
  }

  /** Plain inserts (the caller removed what they replace). */
  async insert(table: string, rows: ColumnValues[]): Promise<void> {
    await this.insertWith(table, rows, () => '');
  }

  /** Deletes the rows whose `column` is one of `values`. */
  async deleteWhereIn(table: string, column: string, values: readonly (string | number)[]): Promise<void> {
    if (values.length === 0) return;
    if (this.sqlite) {
      const connection = await this.connection();
      const head = `delete from ${this.quote(table)} where ${this.quote(column)} in (`;
      let at = 0;
      for (const size of rowGroups(values.length, SQLITE_WIDEST_BINDINGS)) {
        preparedStatement(connection, head + placeholders(size) + ')').run(values.slice(at, (at += size)));
      }
      return;
    }
    for (let i = 0; i < values.length; i += IN_LIST_CHUNK) await this.knex(table).whereIn(column, values.slice(i, i + IN_LIST_CHUNK)).delete();
  }

  private async connection(): Promise<SqliteConnection> {
    this.sqliteConnection ??= await transactionConnection(this.knex);
    return this.sqliteConnection;
  }

  private async insertWith(table: string, rows: ColumnValues[], conflictClause: (columns: string[]) => string): Promise<void> {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]!);
    const head = `insert into ${this.quote(table)} (${columns.map(this.quote).join(', ')}) values `;
    const tuple = `(${placeholders(columns.length)})`;
    const tail = conflictClause(columns);
    if (this.sqlite) {
      await this.insertPrepared(rows, columns, head, tuple, tail);
      return;
    }
    const knex = this.knex;
    for (const chunk of chunked(rows, columns.length)) {
      const bindings: (string | number | null)[] = [];
      for (const row of chunk) for (const c of columns) bindings.push(row[c] ?? null);
      await knex.raw(head + Array(chunk.length).fill(tuple).join(', ') + tail, bindings);
    }
  }

  /**
   * One single-row statement per row: as fast in SQLite as one statement of all of them
   * (measured, 60,000 occurrence rows), faster than any size in between, and one text to prepare.
   */
  private async insertPrepared(rows: ColumnValues[], columns: string[], head: string, tuple: string, tail: string): Promise<void> {
    const statement = preparedStatement(await this.connection(), head + tuple + tail);
    const bindings: SqliteValue[] = new Array<SqliteValue>(columns.length);
    for (const row of rows) {
      for (let i = 0; i < columns.length; i++) bindings[i] = sqliteValue(row[columns[i]!]);
      statement.run(bindings);
    }
  }
}

function placeholders(count: number): string {
  return Array(count).fill('?').join(', ');
}

/** As knex's better-sqlite3 client binds values: a date as epoch ms, a boolean as 0 or 1. */
function sqliteValue(value: unknown): SqliteValue {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.valueOf();
  return value as SqliteValue;
}

function* chunked(rows: ColumnValues[], columns: number): Generator<ColumnValues[]> {
  let chunk: ColumnValues[] = [];
  let chars = 0;
  for (const row of rows) {
    const size = rowChars(row);
    if (chunk.length > 0 && ((chunk.length + 1) * columns > MAX_BINDINGS || chars + size > MAX_STATEMENT_CHARS)) {
      yield chunk;
      chunk = [];
      chars = 0;
    }
    chunk.push(row);
    chars += size;
  }
  yield chunk;
}

function rowChars(row: ColumnValues): number {
  let chars = 0;
  for (const value of Object.values(row)) chars += typeof value === 'string' ? value.length : 8;
  return chars;
}
