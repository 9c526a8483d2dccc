import type { Knex } from '@mikro-orm/knex';
import type { ErrorOccurrence } from '../scraper/payload.types.js';
import { LATEST_ERRORS_CAP, newerFirst, type FoldedOccurrence } from '../projector/aggregate-rules.js';
import { rowId } from './row-id.js';
import { IN_LIST_CHUNK } from './row-upsert.js';

// occurrence_page rows (entities.ts): an aggregate's latest occurrences, a page per commit
// that added some. Its latest hundred are the newest hundred on its pages; a page of which
// none is among them is deleted. Lists are sorted here in the projection's order
// (newerFirst), not by the database: PostgreSQL and MariaDB order text by their collation
// (MariaDB's default ignores case), JavaScript by UTF-16 code unit, and the API's output must
// be the same on every database.

const TABLE = 'occurrence_page';

/** What tells occurrences apart: the uuid at its timestamp (as mergeOccurrences does). */
export type OccurrenceIdentity = Pick<ErrorOccurrence, 'uuid' | 'timestamp'>;

/**
 * An occurrence the read model holds, known to the projector by its identity and its page
 * alone: it is never written again, so its ~2.5 KB body need not be read back, parsed, or kept
 * in the projection store's caches — where a hundred per error were most of what the old
 * generation held and marked.
 */
export class StoredOccurrence implements OccurrenceIdentity {
  constructor(
    readonly uuid: string,
    readonly timestamp: number,
    /** The id of the occurrence_page it is on. */
    readonly page: string,
  ) {}

  /** Stands in for the occurrence in lists the fold merges (it reads uuid and timestamp only). */
  static on(page: string, occurrence: OccurrenceIdentity): FoldedOccurrence {
    return new StoredOccurrence(occurrence.uuid, occurrence.timestamp, page) as unknown as FoldedOccurrence;
  }

  static isOne(occurrence: FoldedOccurrence): occurrence is FoldedOccurrence & StoredOccurrence {
    return (occurrence as unknown) instanceof StoredOccurrence;
  }
}

/** The id of the page a commit through log sequence `seq` writes for the aggregate with row id `aggregateId`. */
export function pageId(aggregateId: string, seq: number): string {
  return rowId('page', aggregateId, String(seq));
}

/**
 * Each aggregate's latest occurrences, newest first, at most LATEST_ERRORS_CAP (no entry
 * without any); a query per 500 aggregates.
 */
export async function selectOccurrences(knex: Knex, aggregateIds: readonly string[]): Promise<Map<string, ErrorOccurrence[]>> {
  const found = new Map<string, ErrorOccurrence[]>();
  for (let i = 0; i < aggregateIds.length; i += IN_LIST_CHUNK) {
    const rows = (await knex(TABLE).select('id', 'aggregate_id', 'occurrences', 'stacks').whereIn('aggregate_id', aggregateIds.slice(i, i + IN_LIST_CHUNK))) as PageText[];
    for (const row of rows) {
      const list = found.get(row.aggregate_id);
      const occurrences = parsePage(row);
      if (list) list.push(...occurrences);
      else found.set(row.aggregate_id, occurrences);
    }
  }
  for (const [id, list] of found) found.set(id, latest(list));
  return found;
}

/**
 * Each aggregate's newest occurrence (no entry without any); a query per 500 aggregates: the
 * first of the pages holding its newest time. For lists that show one occurrence per error.
 */
export async function selectNewestOccurrences(knex: Knex, aggregateIds: readonly string[]): Promise<Map<string, ErrorOccurrence>> {
  const newest = new Map<string, ErrorOccurrence>();
  for (let i = 0; i < aggregateIds.length; i += IN_LIST_CHUNK) {
    const rows = (await knex(`${TABLE} as p`)
      .select('p.id', 'p.aggregate_id', 'p.occurrences', 'p.stacks')
      .whereIn('p.aggregate_id', aggregateIds.slice(i, i + IN_LIST_CHUNK))
      .where('p.newest', (latest: Knex.QueryBuilder) => latest.max('l.newest').from(`${TABLE} as l`).where('l.aggregate_id', knex.ref('p.aggregate_id')))) as PageText[];
    // Several pages may share the newest time: the first in newerFirst order, as the full list has it.
    for (const row of rows) {
      const [first] = parsePage(row);
      const current = newest.get(row.aggregate_id);
      if (first && (!current || newerFirst(first, current) < 0)) newest.set(row.aggregate_id, first);
    }
  }
  return newest;
}

/**
 * Each aggregate's stored occurrences as identities on their pages, newest first, all of them
 * (also any past the cap: a page holding only those is deleted at the aggregate's next write);
 * no entry without any. A query per 500 aggregates; the occurrences' bodies are not read.
 */
export async function selectStoredOccurrences(knex: Knex, aggregateIds: readonly string[]): Promise<Map<string, FoldedOccurrence[]>> {
  const found = new Map<string, FoldedOccurrence[]>();
  for (let i = 0; i < aggregateIds.length; i += IN_LIST_CHUNK) {
    const rows = (await knex(TABLE).select('id', 'aggregate_id', 'identities').whereIn('aggregate_id', aggregateIds.slice(i, i + IN_LIST_CHUNK))) as {
      id: string;
      aggregate_id: string;
      identities: string;
    }[];
    for (const row of rows) {
      let list = found.get(row.aggregate_id);
      if (!list) found.set(row.aggregate_id, (list = []));
      for (const [uuid, timestamp] of parseIdentities(row)) list.push(StoredOccurrence.on(row.id, { uuid, timestamp }));
    }
  }
  for (const list of found.values()) list.sort(newerFirst);
  return found;
}

/** The newest LATEST_ERRORS_CAP of an aggregate's pages' occurrences, newest first. */
function latest(occurrences: ErrorOccurrence[]): ErrorOccurrence[] {
  occurrences.sort(newerFirst);
  if (occurrences.length > LATEST_ERRORS_CAP) occurrences.length = LATEST_ERRORS_CAP;
  return occurrences;
}

interface PageText {
  id: string;
  aggregate_id: string;
  occurrences: string;
  stacks: string | null;
}

function parsePage(row: PageText): ErrorOccurrence[] {
  const occurrences = parseList(row, 'occurrences');
  if (row.stacks !== null) withStacks(occurrences as ErrorOccurrence[], parseList(row, 'stacks'), `occurrence_page ${row.id} of aggregate ${row.aggregate_id}`);
  return occurrences as ErrorOccurrence[];
}

function parseList(row: PageText, column: 'occurrences' | 'stacks'): unknown[] {
  let list: unknown;
  try {
    list = JSON.parse(row[column]!);
  } catch (error) {
    throw new Error(`occurrence_page ${row.id} of aggregate ${row.aggregate_id}: the ${column} are not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(list)) throw new Error(`occurrence_page ${row.id} of aggregate ${row.aggregate_id}: the ${column} are not a list`);
  return list;
}

/**
 * Puts a page's stack traces back (page-rows.ts): an occurrence whose error's stacktrace is a
 * number gets that entry of `stacks`. Occurrences sharing one get the same list.
 */
export function withStacks(occurrences: ErrorOccurrence[], stacks: unknown[], page: string): void {
  occurrences.forEach((occurrence, i) => {
    const error = occurrence?.error as { stacktrace: unknown } | undefined;
    if (typeof error?.stacktrace !== 'number') return;
    const stack = stacks[error.stacktrace];
    if (!Array.isArray(stack)) throw new Error(`${page}: occurrence ${i} refers to stack trace ${error.stacktrace}, the page has ${stacks.length}`);
    error.stacktrace = stack;
  });
}

function parseIdentities(row: { id: string; aggregate_id: string; identities: string }): [string, number][] {
  let identities: unknown;
  try {
    identities = JSON.parse(row.identities);
  } catch (error) {
    throw new Error(`occurrence_page ${row.id} of aggregate ${row.aggregate_id}: the identities are not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(identities) || !identities.every((i) => Array.isArray(i) && typeof i[0] === 'string' && typeof i[1] === 'number')) {
    throw new Error(`occurrence_page ${row.id} of aggregate ${row.aggregate_id}: the identities are not a list of [uuid, timestamp]`);
  }
  return identities as [string, number][];
}

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

/** The pages of `stored` none of whose occurrences is still in `next` (each once). */
export function emptiedPages(stored: readonly FoldedOccurrence[], next: readonly FoldedOccurrence[]): string[] {
  const kept = new Set<string>();
  for (const occurrence of next) if (StoredOccurrence.isOne(occurrence)) kept.add(occurrence.page);
  const emptied = new Set<string>();
  for (const occurrence of stored) if (StoredOccurrence.isOne(occurrence) && !kept.has(occurrence.page)) emptied.add(occurrence.page);
  return [...emptied];
}
