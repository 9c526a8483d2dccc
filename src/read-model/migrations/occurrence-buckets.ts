import { SchemaMigration } from './schema-migration.js';

/** Occurrences per error per minute and per hour, for the error page's chart. */
export class OccurrenceBuckets extends SchemaMigration {
  override async up(): Promise<void> {
    this.addSchema(
      this.schema().createTable('occurrence_bucket', (t) => {
        t.string('id', 64).primary();
        t.string('aggregate_id', 64).notNullable();
        t.string('step', 4).notNullable();
        t.bigInteger('t').notNullable();
        t.bigInteger('count').notNullable();
        t.index(['aggregate_id', 'step', 't'], 'occurrence_bucket_series_index');
        t.index(['step', 't'], 'occurrence_bucket_age_index');
      }),
    );
  }

  override async down(): Promise<void> {
    this.addSchema(this.schema().dropTableIfExists('occurrence_bucket'));
  }
}
