import { newerFirst } from '../projector/aggregate-rules.js';
import { OccurrencePageEntity } from '../read-model/entities.js';
import { pageId } from '../read-model/occurrence-pages.js';
import type { ErrorOccurrence } from '../scraper/payload.types.js';
import type { ReadModelSnapshot, SnapshotRow } from './read-model-snapshot.js';

const PAGES = OccurrencePageEntity.meta.tableName;
/** The table occurrences had a row each in before their pages. */
const ROWS = 'error_occurrence';

/**
 * A snapshot taken before occurrence_page existed carries each error's latest occurrences as
 * error_occurrence rows or, older still, inside its aggregated_error row (`latestErrors`).
 * They become a page per error, as a newer snapshot holds them (named as the migration names
 * them), so the older snapshot can still be restored instead of replaying the log from its
 * start (which may no longer hold it). Any other snapshot is returned as is.
 */
export function withOccurrencePages(snapshot: ReadModelSnapshot, name: string): ReadModelSnapshot {
  if (snapshot.tables.includes(PAGES) || !snapshot.tables.includes('aggregated_error')) return snapshot;
  const inRows = snapshot.tables.includes(ROWS);
  const byAggregate = new Map<string, { service: string | null; occurrences: ErrorOccurrence[] }>();
  const collect = (aggregateId: string, service: string | null, occurrence: ErrorOccurrence) => {
    let entry = byAggregate.get(aggregateId);
    if (!entry) byAggregate.set(aggregateId, (entry = { service, occurrences: [] }));
    entry.occurrences.push(occurrence);
  };
  const rows: SnapshotRow[] = [];
  for (const entry of snapshot.rows) {
    if (entry.table === ROWS) {
      const { aggregateId, occurrence } = entry.row;
      const where = `snapshot ${name}, error_occurrence ${String(entry.row.id)}`;
      if (typeof aggregateId !== 'string') throw new Error(`${where}: no aggregateId`);
      collect(aggregateId, entry.service, occurrenceIn(occurrence, where));
    } else if (entry.table === 'aggregated_error' && !inRows) {
      const { latestErrors, ...row } = entry.row;
      const where = `snapshot ${name}, aggregated_error ${String(row.id)}`;
      if (!Array.isArray(latestErrors)) throw new Error(`${where}: latestErrors is not a list of occurrences`);
      if (typeof row.id !== 'string') throw new Error(`${where}: no id`);
      rows.push({ ...entry, row });
      latestErrors.forEach((occurrence: unknown, index) => collect(row.id as string, entry.service, occurrenceIn(occurrence, `${where}: latestErrors[${index}]`)));
    } else {
      rows.push(entry);
    }
  }
  for (const [aggregateId, { service, occurrences }] of byAggregate) {
    occurrences.sort(newerFirst);
    rows.push({
      table: PAGES,
      service,
      row: {
        id: pageId(aggregateId, 0),
        aggregateId,
        newest: occurrences[0]!.timestamp,
        identities: JSON.stringify(occurrences.map((o) => [o.uuid, o.timestamp])),
        occurrences: JSON.stringify(occurrences),
      },
    });
  }
  return { ...snapshot, tables: [...snapshot.tables.filter((t) => t !== ROWS), PAGES], rows };
}

function occurrenceIn(value: unknown, where: string): ErrorOccurrence {
  const occurrence = value as Partial<ErrorOccurrence> | null;
  if (typeof occurrence?.uuid !== 'string' || typeof occurrence.timestamp !== 'number') throw new Error(`${where} has no string uuid and numeric timestamp`);
  return occurrence as ErrorOccurrence;
}
