import { MySqlPlatform, type Knex, type SqlEntityManager } from '@mikro-orm/knex';

// Multi-row writes with bound parameters. MikroORM's query builder inlines every value into
// the SQL text: a batch of errors carrying 100 occurrences each became 10 MB statements that
// the database then had to parse (better-sqlite3's prepare alone was 16 % of a replay). Knex's
// own multi-row insert turns into `select … union all select …` on SQLite (500 rows at most).
// So the statement is built here: `insert … values (?, …), (?, …)` plus `on conflict (…) do
// update` (SQLite, PostgreSQL) or `on duplicate key update` (MySQL/MariaDB).

/** A row as stored: snake_case column → value, JSON already serialised. */
export type ColumnValues = Record<string, string | number | null>;

// SQLite allows 32,766 bound parameters, PostgreSQL 65,535: chunks stay well under both.
const MAX_BINDINGS = 10_000;
// Rows carrying occurrence documents are large: keep statements to a few MB.
const MAX_STATEMENT_CHARS = 4_000_000;

/** Writes rows inside the projector's transaction. */
export class RowWriter {
  private readonly quote: (name: string) => string;
  private readonly mysql: boolean;

  constructor(private readonly em: SqlEntityManager) {
    const platform = em.getPlatform();
    this.mysql = platform instanceof MySqlPlatform;
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

  private async insertWith(table: string, rows: ColumnValues[], conflictClause: (columns: string[]) => string): Promise<void> {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]!);
    const head = `insert into ${this.quote(table)} (${columns.map(this.quote).join(', ')}) values `;
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const tail = conflictClause(columns);
    const knex = this.knex;
    for (const chunk of chunked(rows, columns.length)) {
      const bindings: (string | number | null)[] = [];
      for (const row of chunk) for (const c of columns) bindings.push(row[c] ?? null);
      await knex.raw(head + Array(chunk.length).fill(tuple).join(', ') + tail, bindings);
    }
  }
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
