import { SchemaMigration } from './schema-migration.js';

/**
 * A page's distinct stack traces, held once (occurrence_page.stacks, page-rows.ts). Pages
 * written before keep each occurrence's own list: readers take both.
 */
export class PageStacks extends SchemaMigration {
  override async up(): Promise<void> {
    this.addSchema(this.schema().alterTable('occurrence_page', (t) => t.text('stacks', 'longtext').nullable()));
  }

  override async down(): Promise<void> {
    this.addSchema(this.schema().alterTable('occurrence_page', (t) => t.dropColumn('stacks')));
  }
}
