import { SchemaMigration } from './schema-migration.js';

/** Occurrences per error per target label value (breakdown_labels), with first seen. */
export class ErrorBreakdown extends SchemaMigration {
  override async up(): Promise<void> {
    this.addSchema(
      this.schema().createTable('error_breakdown', (t) => {
        t.string('id', 64).primary();
        t.string('aggregate_id', 64).notNullable().index('error_breakdown_aggregate_id_index');
        t.text('service').notNullable();
        t.text('aggregation_key').notNullable();
        t.text('label').notNullable();
        t.text('value').notNullable();
        t.bigInteger('count').notNullable();
        t.bigInteger('first_seen').notNullable();
      }),
    );
  }

  override async down(): Promise<void> {
    this.addSchema(this.schema().dropTableIfExists('error_breakdown'));
  }
}
