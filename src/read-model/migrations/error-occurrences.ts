import type { ErrorOccurrence } from '../../scraper/payload.types.js';
import { rowId } from '../row-id.js';
import { RowWriter, type ColumnValues } from '../row-upsert.js';
import { SchemaMigration } from './schema-migration.js';

// Aggregates read per step of the move: up to 100 occurrences of a few KB each per aggregate.
const PAGE = 50;

interface DocumentColumns {
  id: string;
  service: string;
  aggregation_key: string;
  latest_errors: string;
}

/**
 * Each aggregate's latest occurrences become rows of their own (error_occurrence), out of the
 * aggregated_error.latest_errors document that every batch touching the error rewrote whole.
 * The documents are moved into rows, then the column is dropped. No down(): the read model
 * is rebuilt from the log instead (Migration's default down() says it cannot be reverted).
 * (The rows became pages in turn: occurrence-pages.ts, the migration after this one.)
 */
export class ErrorOccurrences extends SchemaMigration {
  override async up(): Promise<void> {
    // Run now rather than queued (addSql): the move, which is code, sits between the statements.
    await this.executeSchema(
      this.schema().createTable('error_occurrence', (t) => {
        t.string('id', 64).primary();
        t.string('aggregate_id', 64).notNullable();
        t.text('uuid').notNullable();
        t.bigInteger('timestamp').notNullable();
        t.text('occurrence', 'longtext').notNullable();
        // An aggregate's newest hundred; its leading column serves lookups by aggregate alone.
        t.index(['aggregate_id', 'timestamp'], 'error_occurrence_newest_index');
      }),
    );
    await this.moveDocuments();
    // SQLite has had DROP COLUMN since 3.35; knex's own dropColumn rebuilds the table instead.
    await this.execute(this.getKnex().raw('alter table ?? drop column ??', ['aggregated_error', 'latest_errors']).toQuery());
  }

  private async moveDocuments(): Promise<void> {
    const knex = this.getKnex();
    const writer = new RowWriter(this.getEntityManager());
    for (let last = ''; ; ) {
      const page = (await this.execute(
        knex('aggregated_error').select('id', 'service', 'aggregation_key', 'latest_errors').where('id', '>', last).orderBy('id').limit(PAGE),
      )) as DocumentColumns[];
      await writer.insertMissing('error_occurrence', page.flatMap(documentRows));
      if (page.length < PAGE) return;
      last = page.at(-1)!.id;
    }
  }
}

/** The rows of one aggregate's latest_errors document. */
export function documentRows(columns: DocumentColumns): ColumnValues[] {
  const where = `aggregated_error ${columns.id} (${columns.service}, ${columns.aggregation_key.slice(0, 200)}): latest_errors`;
  let document: unknown;
  try {
    document = JSON.parse(columns.latest_errors);
  } catch (error) {
    throw new Error(`${where} is not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(document)) throw new Error(`${where} is not a list of occurrences`);
  const owner = { service: columns.service, aggregationKey: columns.aggregation_key, id: columns.id };
  return document.map((occurrence: Partial<ErrorOccurrence>, index) => {
    if (typeof occurrence?.uuid !== 'string' || typeof occurrence.timestamp !== 'number') {
      throw new Error(`${where}[${index}] has no string uuid and numeric timestamp`);
    }
    return errorOccurrenceRow(owner, occurrence as ErrorOccurrence, JSON.stringify(occurrence));
  });
}

/** An error_occurrence row (this migration's table): `id` is rowId(service, key, uuid, timestamp). */
export function errorOccurrenceRow(owner: { service: string; aggregationKey: string; id: string }, occurrence: Pick<ErrorOccurrence, 'uuid' | 'timestamp'>, json: string): ColumnValues {
  return {
    id: rowId(owner.service, owner.aggregationKey, occurrence.uuid, String(occurrence.timestamp)),
    aggregate_id: owner.id,
    uuid: occurrence.uuid,
    timestamp: occurrence.timestamp,
    occurrence: json,
  };
}
