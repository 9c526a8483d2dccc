import { ErrorOccurrenceEntity } from '../read-model/entities.js';
import { occurrenceRowId } from '../read-model/occurrence-rows.js';
import type { ErrorOccurrence } from '../scraper/payload.types.js';
import type { ReadModelSnapshot, SnapshotRow } from './read-model-snapshot.js';

const OCCURRENCES = ErrorOccurrenceEntity.meta.tableName;

/**
 * A snapshot taken before error_occurrence existed carries each error's latest occurrences
 * inside its aggregated_error row (`latestErrors`). They become error_occurrence rows, as a
 * newer snapshot holds them, so the older snapshot can still be restored instead of replaying
 * the log from its start (which may no longer hold it). Any other snapshot is returned as is.
 */
export function withOccurrenceRows(snapshot: ReadModelSnapshot, name: string): ReadModelSnapshot {
  if (snapshot.tables.includes(OCCURRENCES) || !snapshot.tables.includes('aggregated_error')) return snapshot;
  const rows: SnapshotRow[] = [];
  for (const entry of snapshot.rows) {
    if (entry.table !== 'aggregated_error') {
      rows.push(entry);
      continue;
    }
    const { latestErrors, ...row } = entry.row;
    const where = `snapshot ${name}, aggregated_error ${String(row.id)}`;
    if (!Array.isArray(latestErrors)) throw new Error(`${where}: latestErrors is not a list of occurrences`);
    const { service, aggregationKey } = row;
    if (typeof service !== 'string' || typeof aggregationKey !== 'string') throw new Error(`${where}: no service and aggregationKey`);
    rows.push({ ...entry, row });
    for (const [index, occurrence] of (latestErrors as Partial<ErrorOccurrence>[]).entries()) {
      if (typeof occurrence?.uuid !== 'string' || typeof occurrence.timestamp !== 'number') {
        throw new Error(`${where}: latestErrors[${index}] has no string uuid and numeric timestamp`);
      }
      rows.push({
        table: OCCURRENCES,
        service: entry.service,
        row: { id: occurrenceRowId({ service, aggregationKey }, { uuid: occurrence.uuid, timestamp: occurrence.timestamp }), aggregateId: row.id, uuid: occurrence.uuid, timestamp: occurrence.timestamp, occurrence },
      });
    }
  }
  return { ...snapshot, tables: [...snapshot.tables, OCCURRENCES], rows };
}
