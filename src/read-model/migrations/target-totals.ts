import { RowWriter } from '../row-upsert.js';
import { TotalsByTarget } from '../target-totals-row.js';
import { SchemaMigration } from './schema-migration.js';

// Targets moved per step: their target_count rows, a few dozen each.
const STEP = 500;

/** A target_count row as the move reads it. */
export interface TargetCountColumns {
  service: string;
  target_uuid: string;
  aggregation_key: string;
  total: number | string;
}

/**
 * A target's last totals move from a row per key (target_count) to one row per target
 * (target_totals, target-totals-row.ts), then target_count is dropped. No down(): the read
 * model is rebuilt from the log instead.
 */
export class TargetTotals extends SchemaMigration {
  override async up(): Promise<void> {
    // Run now rather than queued (addSql): the move, which is code, sits between the statements.
    await this.executeSchema(
      this.schema().createTable('target_totals', (t) => {
        t.string('id', 64).primary();
        t.text('service').notNullable();
        t.text('target_uuid').notNullable();
        t.text('totals', 'longtext').notNullable();
      }),
    );
    await this.moveRows();
    await this.executeSchema(this.schema().dropTable('target_count'));
  }

  private async moveRows(): Promise<void> {
    const knex = this.getKnex();
    const writer = new RowWriter(this.getEntityManager());
    // Keyset pagination over the targets; a target's rows all come in the step that names it.
    for (let after: { service: string; target_uuid: string } | null = null; ; ) {
      let targets = knex('target_count').distinct('service', 'target_uuid').orderBy([{ column: 'service' }, { column: 'target_uuid' }]).limit(STEP);
      if (after) {
        const { service, target_uuid } = after;
        targets = targets.where((q) => q.where('service', '>', service).orWhere((same) => same.where('service', service).andWhere('target_uuid', '>', target_uuid)));
      }
      const step = (await this.execute(targets)) as { service: string; target_uuid: string }[];
      if (step.length === 0) return;
      const rows = (await this.execute(
        knex('target_count')
          .select('service', 'target_uuid', 'aggregation_key', 'total')
          .whereIn(['service', 'target_uuid'], step.map(({ service, target_uuid }) => [service, target_uuid])),
      )) as TargetCountColumns[];
      const totals = new TotalsByTarget();
      // PostgreSQL and MySQL return bigint as text.
      for (const row of rows) totals.add(row.service, row.target_uuid, row.aggregation_key, Number(row.total));
      await writer.insert('target_totals', totals.rows().map(({ targetUuid, ...row }) => ({ ...row, target_uuid: targetUuid })));
      if (step.length < STEP) return;
      after = step.at(-1)!;
    }
  }
}
