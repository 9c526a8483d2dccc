import type { Knex } from '@mikro-orm/knex';
import type { ErrorOccurrence } from '../scraper/payload.types.js';
import { newerFirst, type FoldedOccurrence } from '../projector/aggregate-rules.js';
import { isLogged } from '../events/logged-snapshot.js';
import { rowId } from './row-id.js';
import { IN_LIST_CHUNK, type ColumnValues } from './row-upsert.js';

// error_occurrence rows: an aggregate's latest occurrences, one row each (entities.ts).

/**
 * Each aggregate's stored occurrences, newest first (no entry without any); a query per 500
 * aggregates. Sorted here in the projection's order (newerFirst), not by the database:
 * PostgreSQL and MariaDB order text by their collation (MariaDB's default ignores case),
 * JavaScript by UTF-16 code unit, and the API's output must be the same on every database.
 */
export async function selectOccurrences(knex: Knex, aggregateIds: readonly string[]): Promise<Map<string, ErrorOccurrence[]>> {
  const found = new Map<string, ErrorOccurrence[]>();
  for (let i = 0; i < aggregateIds.length; i += IN_LIST_CHUNK) {
    const rows = (await knex('error_occurrence')
      .select('aggregate_id', 'occurrence')
      .whereIn('aggregate_id', aggregateIds.slice(i, i + IN_LIST_CHUNK))) as { aggregate_id: string; occurrence: string }[];
    for (const row of rows) {
      const occurrence = parseOccurrence(row.occurrence, row.aggregate_id);
      const list = found.get(row.aggregate_id);
      if (list) list.push(occurrence);
      else found.set(row.aggregate_id, [occurrence]);
    }
  }
  for (const list of found.values()) list.sort(newerFirst);
  return found;
}

/**
 * An occurrence the read model holds, known to the projector by its identity alone: it is
 * never written again (an error's stored rows are diffed, not rewritten), so its ~2 KB body
 * need not be read back, parsed, or kept in the projection store's caches — where a hundred
 * per error were most of what the old generation held and marked.
 */
export class StoredOccurrence implements OccurrenceIdentity {
  constructor(
    readonly uuid: string,
    readonly timestamp: number,
  ) {}

  /** Stands in for the occurrence in lists the fold merges (it reads uuid and timestamp only). */
  static of(occurrence: OccurrenceIdentity): FoldedOccurrence {
    return (occurrence instanceof StoredOccurrence ? occurrence : new StoredOccurrence(occurrence.uuid, occurrence.timestamp)) as unknown as FoldedOccurrence;
  }

  static isOne(occurrence: FoldedOccurrence): boolean {
    return (occurrence as unknown) instanceof StoredOccurrence;
  }
}

/** Each aggregate's stored occurrences as identities, newest first (no entry without any); a query per 500 aggregates. */
export async function selectOccurrenceIdentities(knex: Knex, aggregateIds: readonly string[]): Promise<Map<string, FoldedOccurrence[]>> {
  const found = new Map<string, FoldedOccurrence[]>();
  for (let i = 0; i < aggregateIds.length; i += IN_LIST_CHUNK) {
    const rows = (await knex('error_occurrence')
      .select('aggregate_id', 'uuid', 'timestamp')
      .whereIn('aggregate_id', aggregateIds.slice(i, i + IN_LIST_CHUNK))) as { aggregate_id: string; uuid: string; timestamp: number | string }[];
    for (const row of rows) {
      // PostgreSQL returns bigint as text.
      const occurrence = StoredOccurrence.of({ uuid: row.uuid, timestamp: Number(row.timestamp) });
      const list = found.get(row.aggregate_id);
      if (list) list.push(occurrence);
      else found.set(row.aggregate_id, [occurrence]);
    }
  }
  for (const list of found.values()) list.sort(newerFirst);
  return found;
}

/**
 * Each aggregate's newest occurrence (no entry without any); a query per 500 aggregates. For
 * lists that show one occurrence per error: reading all hundred of fifty errors to show one
 * each parsed megabytes per page.
 */
export async function selectNewestOccurrences(knex: Knex, aggregateIds: readonly string[]): Promise<Map<string, ErrorOccurrence>> {
  const newest = new Map<string, ErrorOccurrence>();
  for (let i = 0; i < aggregateIds.length; i += IN_LIST_CHUNK) {
    const rows = (await knex('error_occurrence as o')
      .select('o.aggregate_id', 'o.occurrence')
      .whereIn('o.aggregate_id', aggregateIds.slice(i, i + IN_LIST_CHUNK))
      .where('o.timestamp', (latest: Knex.QueryBuilder) =>
        latest.max('l.timestamp').from('error_occurrence as l').where('l.aggregate_id', knex.ref('o.aggregate_id')),
      )) as { aggregate_id: string; occurrence: string }[];
    // Several share the newest time: the first in newerFirst order, as the full list has it.
    for (const row of rows) {
      const occurrence = parseOccurrence(row.occurrence, row.aggregate_id);
      const current = newest.get(row.aggregate_id);
      if (!current || newerFirst(occurrence, current) < 0) newest.set(row.aggregate_id, occurrence);
    }
  }
  return newest;
}

function parseOccurrence(text: string, aggregateId: string): ErrorOccurrence {
  try {
    return JSON.parse(text) as ErrorOccurrence;
  } catch (error) {
    throw new Error(`error_occurrence of aggregate ${aggregateId}: the occurrence is not JSON (${(error as Error).message})`);
  }
}

/** The aggregate an occurrence row belongs to; `id` is its aggregated_error row id. */
export interface OccurrenceOwner {
  service: string;
  aggregationKey: string;
  id: string;
}

/** What tells occurrences apart: the uuid at its timestamp (as mergeOccurrences does). */
export type OccurrenceIdentity = Pick<ErrorOccurrence, 'uuid' | 'timestamp'>;

/**
 * What a batch changed in an aggregate's occurrences: those in `next` and not in `stored`, and
 * those no longer there. Both lists are in newerFirst order and an occurrence kept is the same
 * object in both (mergeOccurrences copies references), so one walk over the two finds the
 * difference without looking into the hundred objects that did not change.
 */
export function occurrenceChanges(
  stored: readonly FoldedOccurrence[],
  next: readonly FoldedOccurrence[],
): { added: FoldedOccurrence[]; removed: FoldedOccurrence[] } {
  const added: FoldedOccurrence[] = [];
  const removed: FoldedOccurrence[] = [];
  let i = 0;
  let j = 0;
  while (i < next.length || j < stored.length) {
    if (i < next.length && j < stored.length && next[i] === stored[j]) {
      i++;
      j++;
    } else if (j >= stored.length || (i < next.length && newerFirst(next[i]!, stored[j]!) < 0)) {
      added.push(next[i++]!);
    } else {
      removed.push(stored[j++]!);
    }
  }
  return { added, removed };
}

export function occurrenceRowId(owner: Pick<OccurrenceOwner, 'service' | 'aggregationKey'>, occurrence: OccurrenceIdentity): string {
  return rowId(owner.service, owner.aggregationKey, occurrence.uuid, String(occurrence.timestamp));
}

/** The text a row stores of an occurrence, as a string. */
export function occurrenceJson(occurrence: FoldedOccurrence): string {
  const text = occurrenceText(occurrence);
  return typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8');
}

/**
 * The text a row stores of an occurrence: the UTF-8 bytes a version 2 event carried it as
 * (written as they are, RowInserts.utf8Columns), else the object serialised here.
 */
export function occurrenceText(occurrence: FoldedOccurrence): OccurrenceText {
  return isLogged(occurrence) ? occurrence.json : JSON.stringify(occurrence);
}

/** An occurrence's JSON: a string, or UTF-8 bytes. */
export type OccurrenceText = string | Uint8Array;

/** The row of one occurrence; `json` is the occurrence already serialised. */
export function occurrenceColumns(owner: OccurrenceOwner, occurrence: OccurrenceIdentity, json: OccurrenceText): ColumnValues {
  return {
    id: occurrenceRowId(owner, occurrence),
    aggregate_id: owner.id,
    uuid: occurrence.uuid,
    timestamp: occurrence.timestamp,
    occurrence: json,
  };
}
