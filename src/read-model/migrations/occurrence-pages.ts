import { newerFirst } from '../../projector/aggregate-rules.js';
import { pageId } from '../occurrence-pages.js';
import { pageRows, type PageToWrite } from '../page-rows.js';
import { RowWriter } from '../row-upsert.js';
import { SchemaMigration } from './schema-migration.js';

// Aggregates moved per step: up to 100 occurrences of a few KB each per aggregate.
const STEP = 50;

/** An error_occurrence row as the move reads it. */
export interface OccurrenceRowColumns {
  aggregate_id: string;
  uuid: string;
  timestamp: number | string;
  occurrence: string;
}

/**
 * An aggregate's occurrences move from a row each (error_occurrence) onto pages
 * (occurrence_page, entities.ts): each aggregate's rows become one page, then the table is
 * dropped. No down(): the read model is rebuilt from the log instead.
 */
export class OccurrencePages extends SchemaMigration {
  override async up(): Promise<void> {
    // Run now rather than queued (addSql): the move, which is code, sits between the statements.
    await this.executeSchema(
      this.schema().createTable('occurrence_page', (t) => {
        t.string('id', 64).primary();
        t.string('aggregate_id', 64).notNullable();
        t.bigInteger('newest').notNullable();
        t.text('identities', 'longtext').notNullable();
        t.text('occurrences', 'longtext').notNullable();
        // An aggregate's pages, and the one holding its newest occurrence.
        t.index(['aggregate_id', 'newest'], 'occurrence_page_newest_index');
      }),
    );
    await this.moveRows();
    await this.executeSchema(this.schema().dropTable('error_occurrence'));
  }

  private async moveRows(): Promise<void> {
    const knex = this.getKnex();
    const writer = new RowWriter(this.getEntityManager());
    for (let last = ''; ; ) {
      const ids = ((await this.execute(knex('aggregated_error').select('id').where('id', '>', last).orderBy('id').limit(STEP))) as { id: string }[]).map((r) => r.id);
      if (ids.length === 0) return;
      const rows = (await this.execute(knex('error_occurrence').select('aggregate_id', 'uuid', 'timestamp', 'occurrence').whereIn('aggregate_id', ids))) as OccurrenceRowColumns[];
      // The table as this migration made it: `stacks` comes with the next one (none here: texts are strings).
      const pages = pageRows(pagesOfRows(rows)).rows.map(({ stacks: _none, ...page }) => page);
      await writer.insert('occurrence_page', pages, ['occurrences']);
      if (ids.length < STEP) return;
      last = ids.at(-1)!;
    }
  }
}

/**
 * One page per aggregate of its error_occurrence rows, newest first, the texts as they were.
 * The page is named as a commit through sequence 0 would name it: no commit has that sequence.
 */
export function pagesOfRows(rows: readonly OccurrenceRowColumns[]): PageToWrite[] {
  const byAggregate = new Map<string, { uuid: string; timestamp: number; text: string }[]>();
  for (const row of rows) {
    let list = byAggregate.get(row.aggregate_id);
    if (!list) byAggregate.set(row.aggregate_id, (list = []));
    // PostgreSQL and MySQL return bigint as text.
    list.push({ uuid: row.uuid, timestamp: Number(row.timestamp), text: row.occurrence });
  }
  return [...byAggregate].map(([aggregateId, list]) => {
    list.sort(newerFirst);
    return { id: pageId(aggregateId, 0), aggregateId, occurrences: list, texts: list.map((o) => o.text) };
  });
}
