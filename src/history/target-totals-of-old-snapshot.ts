import { TargetTotalsEntity } from '../read-model/entities.js';
import { TotalsByTarget } from '../read-model/target-totals-row.js';
import type { ReadModelSnapshot, SnapshotRow } from './read-model-snapshot.js';

const TOTALS = TargetTotalsEntity.meta.tableName;
/** The table a target's totals had a row per key in before target_totals. */
const PER_KEY = 'target_count';

/**
 * A snapshot taken before target_totals existed carries a target's totals as a target_count
 * row per key. They become a row per target, as a newer snapshot holds them (as the migration
 * makes them), so the older snapshot can still be restored instead of replaying the log from
 * its start (which may no longer hold it). Any other snapshot is returned as is.
 */
export function withTargetTotals(snapshot: ReadModelSnapshot, name: string): ReadModelSnapshot {
  if (snapshot.tables.includes(TOTALS) || !snapshot.tables.includes(PER_KEY)) return snapshot;
  const totals = new TotalsByTarget();
  const rows: SnapshotRow[] = [];
  for (const entry of snapshot.rows) {
    if (entry.table !== PER_KEY) {
      rows.push(entry);
      continue;
    }
    const { service, targetUuid, aggregationKey, total } = entry.row;
    const where = `snapshot ${name}, target_count ${String(entry.row.id)}`;
    if (typeof service !== 'string' || typeof targetUuid !== 'string' || typeof aggregationKey !== 'string') {
      throw new Error(`${where}: service, targetUuid and aggregationKey are not all text`);
    }
    const count = Number(total);
    if (!Number.isSafeInteger(count) || count < 0) throw new Error(`${where}: total ${JSON.stringify(total)} is not a count`);
    totals.add(service, targetUuid, aggregationKey, count);
  }
  for (const row of totals.rows()) rows.push({ table: TOTALS, service: row.service, row: { ...row } });
  return { ...snapshot, tables: [...snapshot.tables.filter((t) => t !== PER_KEY), TOTALS], rows };
}
