import { MySqlPlatform, type Knex, type SqlEntityManager } from '@mikro-orm/knex';
import { RowWrites, type RowInserts, type RowValue, type RowWrite } from './row-writes.js';
import { runSqliteWrite } from './sqlite-row-writes.js';
import { isBetterSqlite, transactionConnection, type SqliteConnection } from './sqlite-statements.js';

// Multi-row writes with bound parameters. MikroORM's query builder inlines every value into
// the SQL text: a batch of errors carrying 100 occurrences each became 10 MB statements that
// the database then had to parse (better-sqlite3's prepare alone was 16 % of a replay). Knex's
// own multi-row insert turns into `select … union all select …` on SQLite (500 rows at most).
// So the statement is built here: `insert … values (?, …), (?, …)` plus `on conflict (…) do
// update` (SQLite, PostgreSQL) or `on duplicate key update` (MySQL/MariaDB). On SQLite the
// statements are prepared once and run on the transaction's connection (sqlite-row-writes.ts).

/** A row as stored: snake_case column → value, JSON already serialised (bytes: UTF-8 text, RowInserts.utf8Columns). */
export type ColumnValues = Record<string, RowValue>;

// SQLite allows 32,766 bound parameters, PostgreSQL 65,535: chunks stay well under both.
const MAX_BINDINGS = 10_000;
// Rows carrying occurrence documents are large: keep statements to a few MB.
const MAX_STATEMENT_CHARS = 4_000_000;
/** Values bound in one `IN (…)` list: under SQLite's, PostgreSQL's and MySQL's bound-parameter limits. */
export const IN_LIST_CHUNK = 500;

/** Writes rows inside the projector's transaction (what a RowWrites plan records, run at once). */
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
    await this.applyOne((plan) => plan.upsert(table, rows, conflict));
  }

  /** Inserts the rows, keeping a row that already has the same `conflict` key. */
  async insertMissing(table: string, rows: ColumnValues[], conflict = 'id'): Promise<void> {
    await this.applyOne((plan) => plan.insertMissing(table, rows, conflict));
  }

  /** Plain inserts (the caller removed what they replace); `utf8Columns` as RowInserts has them. */
  async insert(table: string, rows: ColumnValues[], utf8Columns?: string[]): Promise<void> {
    await this.applyOne((plan) => plan.insert(table, rows, utf8Columns));
  }

  /** Deletes the rows whose `column` is one of `values`. */
  async deleteWhereIn(table: string, column: string, values: readonly (string | number)[]): Promise<void> {
    await this.applyOne((plan) => plan.deleteWhereIn(table, column, values));
  }

  /** Runs recorded writes, in order. */
  async apply(writes: readonly RowWrite[]): Promise<void> {
    for (const write of writes) {
      if (this.sqlite) runSqliteWrite(await this.connection(), write);
      else await this.applyWithKnex(write);
    }
  }

  private async applyOne(record: (plan: RowWrites) => void): Promise<void> {
    const plan = new RowWrites();
    record(plan);
    await this.apply(plan.writes);
  }

  private async connection(): Promise<SqliteConnection> {
    this.sqliteConnection ??= await transactionConnection(this.knex);
    return this.sqliteConnection;
  }

  private async applyWithKnex(write: RowWrite): Promise<void> {
    switch (write.kind) {
      case 'upsert':
      case 'insertMissing':
      case 'insert':
        await this.insertWithKnex(write);
        return;
      case 'deleteWhereIn':
        for (let i = 0; i < write.values.length; i += IN_LIST_CHUNK) await this.knex(write.table).whereIn(write.column, write.values.slice(i, i + IN_LIST_CHUNK)).delete();
        return;
      case 'deleteWhere': {
        const query = this.knex(write.table);
        for (const [column, value] of write.equals) query.where(column, value);
        if (write.below) query.andWhere(write.below[0], '<', write.below[1]);
        await query.delete();
        return;
      }
      default: {
        const unknown: never = write;
        throw new Error(`unknown row write ${JSON.stringify(unknown)}`);
      }
    }
  }

  private async insertWithKnex({ kind, table, conflict, columns, values: given }: RowInserts): Promise<void> {
    const values = given.map((value) => (value instanceof Uint8Array ? utf8Text(value) : value));
    const head = `insert into ${this.quote(table)} (${columns.map(this.quote).join(', ')}) values `;
    const tuple = `(${placeholders(columns.length)})`;
    const tail = this.conflictClause(kind, conflict, columns);
    const knex = this.knex;
    for (const [from, to] of chunked(values, columns.length)) {
      await knex.raw(head + Array((to - from) / columns.length).fill(tuple).join(', ') + tail, values.slice(from, to));
    }
  }

  private conflictClause(kind: RowInserts['kind'], conflict: string, columns: string[]): string {
    if (kind === 'insert') return '';
    const key = this.quote(conflict);
    if (kind === 'insertMissing') return this.mysql ? ` on duplicate key update ${key} = ${key}` : ` on conflict (${key}) do nothing`;
    const updated = columns.filter((c) => c !== conflict).map(this.quote);
    if (this.mysql) return ` on duplicate key update ${updated.map((c) => `${c} = values(${c})`).join(', ')}`;
    return ` on conflict (${key}) do update set ${updated.map((c) => `${c} = excluded.${c}`).join(', ')}`;
  }
}

function utf8Text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

function placeholders(count: number): string {
  return Array(count).fill('?').join(', ');
}

/** [from, to) ranges of `values` (`width` per row), each a statement under both bounds. */
function* chunked(values: readonly RowValue[], width: number): Generator<[number, number]> {
  let from = 0;
  let chars = 0;
  for (let at = 0; at < values.length; at += width) {
    let size = 0;
    for (let i = at; i < at + width; i++) size += typeof values[i] === 'string' ? (values[i] as string).length : 8;
    const rows = (at - from) / width;
    if (rows > 0 && ((rows + 1) * width > MAX_BINDINGS || chars + size > MAX_STATEMENT_CHARS)) {
      yield [from, at];
      from = at;
      chars = 0;
    }
    chars += size;
  }
  if (values.length > from) yield [from, values.length];
}
