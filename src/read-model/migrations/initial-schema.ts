import { SchemaMigration } from './schema-migration.js';

/**
 * The read model's tables. JSON documents (json-document.ts)
 * hold occurrences with stack traces and request bodies: LONGTEXT on MySQL, TEXT elsewhere.
 */
export class InitialSchema extends SchemaMigration {
  override async up(): Promise<void> {
    this.addSchema(
      this.schema().createTable('service', (t) => {
        t.string('id', 64).primary();
        t.text('name').notNullable();
      }),
    );
    this.addSchema(
      this.schema().createTable('aggregated_error', (t) => {
        t.string('id', 64).primary();
        t.string('service_id', 64).notNullable().index('aggregated_error_service_id_index');
        t.text('service').notNullable();
        t.text('aggregation_key').notNullable();
        t.string('severity', 16).notNullable();
        t.bigInteger('total_count').notNullable();
        t.bigInteger('created_at').notNullable();
        t.bigInteger('last_seen').nullable();
        t.bigInteger('resolved_at').nullable();
        t.bigInteger('resolved_count').nullable();
        t.bigInteger('reopened_at').nullable();
        t.text('latest_errors', 'longtext').notNullable();
      }),
    );
    this.addSchema(
      this.schema().createTable('target_count', (t) => {
        t.string('id', 64).primary();
        t.text('service').notNullable();
        t.text('target_uuid').notNullable();
        t.text('aggregation_key').notNullable();
        t.bigInteger('total').notNullable();
      }),
    );
    this.addSchema(
      this.schema().createTable('target', (t) => {
        t.string('id', 64).primary();
        t.string('service_id', 64).notNullable().index('target_service_id_index');
        t.text('service').notNullable();
        t.text('url').notNullable();
        t.text('address').notNullable();
        t.text('labels', 'longtext').notNullable();
        t.string('status', 16).notNullable();
        t.string('last_error_reason', 32).nullable();
        t.text('last_error_detail').nullable();
        t.bigInteger('status_at').nullable();
      }),
    );
    this.addSchema(
      this.schema().createTable('checkpoint', (t) => {
        t.string('name', 64).primary();
        t.bigInteger('seq').notNullable();
      }),
    );
  }

  override async down(): Promise<void> {
    for (const table of ['checkpoint', 'target', 'target_count', 'aggregated_error', 'service']) {
      this.addSchema(this.schema().dropTableIfExists(table));
    }
  }
}
