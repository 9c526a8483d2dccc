import type { Knex } from '@mikro-orm/knex';
import { Migration } from '@mikro-orm/migrations';

/**
 * A migration written with knex's schema builder, so one migration produces the right DDL
 * for SQLite, PostgreSQL and MySQL/MariaDB.
 */
export abstract class SchemaMigration extends Migration {
  /** A fresh builder each time: a knex schema builder accumulates every call made on it. */
  protected schema(): Knex.SchemaBuilder {
    return this.getKnex().schema;
  }

  /** Runs the statements now rather than queued (addSql): for a migration whose code runs between them. */
  protected async executeSchema(builder: Knex.SchemaBuilder): Promise<void> {
    for (const statement of builder.toSQL() as unknown as { sql: string }[]) await this.execute(statement.sql);
  }

  /** One addSql per statement: SQLite runs a single statement per query. */
  protected addSchema(builder: Knex.SchemaBuilder): void {
    for (const statement of builder.toSQL() as unknown as { sql: string }[]) this.addSql(statement.sql);
  }
}
