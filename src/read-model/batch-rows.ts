import type { AggregateState, FoldedOccurrence } from '../projector/aggregate-rules.js';
import { BUCKET_STEPS, type BucketStep } from '../projector/occurrence-buckets.js';
import type { ProjectionState, TargetState } from '../projector/projection.js';
import { parseBucketId, parseTargetRowId, parseTargetTotalsId } from '../projector/record-ids.js';
import { isLogged } from '../events/logged-snapshot.js';
import type { BreakdownRecords } from './breakdown-store.js';
import { TargetTotalsEntity } from './entities.js';
import { emptiedPages, occurrenceChanges, pageId, StoredOccurrence } from './occurrence-pages.js';
import { pageRows, type PageText, type PageToWrite } from './page-rows.js';
import { rowId, type RowIdMemo } from './row-id.js';
import type { ColumnValues } from './row-upsert.js';
import type { RowWrites } from './row-writes.js';
import { totalsText } from './target-totals-row.js';

// The rows a batch writes: what the projection store hands its writer (RowWrites), one write
// function per table, each with bound parameters (row-upsert.ts). What the store knows of the
// database (its caches, the row ids it built) decides which rows: pages only for occurrences
// not stored yet, bucket row ids built once.

/** A bucket's count as committed, with what retention needs to know of it. */
export interface CachedBucket {
  count: number;
  step: BucketStep;
  t: number;
  /** Its row's id (storedBucketId), once a batch wrote it. */
  rowId?: string;
}

/** The page a commit wrote for an aggregate; `whole`: all its occurrences are on it (the others deleted). */
export interface WrittenPage {
  page: string;
  whole: boolean;
}

/** What the store knows that the rows depend on (ProjectionStore's caches and memos; read here, never changed but for a bucket's row id). */
export interface KnownRecords {
  aggregateRowIds: RowIdMemo;
  serviceRowIds: RowIdMemo;
  targetTotalsRowIds: RowIdMemo;
  /** By aggregateId, the occurrences the database holds for each aggregate loaded since the last commit. */
  storedOccurrences: ReadonlyMap<string, readonly FoldedOccurrence[]>;
  buckets: Map<string, CachedBucket>;
  breakdowns: BreakdownRecords;
}

export class BatchRows {
  constructor(private readonly known: KnownRecords) {}

  /**
   * What the batch through `seq` changed, as rows to write; the values are fixed from here on.
   * Returns, by aggregateId, the page each changed aggregate's new occurrences are on.
   */
  plan(writes: RowWrites, state: ProjectionState, seq: number): Map<string, WrittenPage> {
    this.writeServices(writes, state);
    this.writeAggregates(writes, state);
    const pages = this.writePages(writes, state, seq);
    this.writeTargetTotals(writes, state);
    this.writeTargets(writes, state);
    this.writeBuckets(writes, state);
    this.known.breakdowns.write(writes, state);
    return pages;
  }

  private writeServices(writes: RowWrites, state: ProjectionState): void {
    const rows = [...state.changed.services].map((name) => ({ id: rowId(name), name }));
    writes.insertMissing('service', rows);
  }

  private writeAggregates(writes: RowWrites, state: ProjectionState): void {
    const rows = [...state.changed.aggregates].map((id) => {
      const aggregate = state.aggregates.get(id)!;
      return aggregateColumns(aggregate, this.aggregateRowId(id, aggregate), this.known.serviceRowIds.of(aggregate.service, aggregate.service));
    });
    writes.upsert('aggregated_error', rows);
  }

  /**
   * A page per changed aggregate with the occurrences it gained (occurrence_page), and deletes
   * its pages none of whose occurrences it still lists. An aggregate whose stored pages are not
   * known (not loaded by this store) has them all replaced by one.
   */
  private writePages(writes: RowWrites, state: ProjectionState, seq: number): Map<string, WrittenPage> {
    const written = new Map<string, WrittenPage>();
    const pages: PageToWrite[] = [];
    const emptied: string[] = [];
    const replaced: string[] = [];
    for (const id of state.changed.aggregates) {
      const aggregate = state.aggregates.get(id)!;
      const aggregateRowId = this.aggregateRowId(id, aggregate);
      const stored = this.known.storedOccurrences.get(id);
      let added: readonly FoldedOccurrence[];
      if (stored) {
        added = occurrenceChanges(stored, aggregate.latestErrors).added;
        emptied.push(...emptiedPages(stored, aggregate.latestErrors));
      } else {
        replaced.push(aggregateRowId);
        added = aggregate.latestErrors;
      }
      if (added.length === 0) continue;
      const page = pageId(aggregateRowId, seq);
      const texts = added.map((occurrence) => {
        if (StoredOccurrence.isOne(occurrence)) throw new Error(`occurrence ${occurrence.uuid} of ${aggregate.service} ${aggregate.aggregationKey} is to be written, but the projection knows only its identity`);
        // Pages replaced whole are written again at each commit of a rebuild: their texts are kept.
        return stored ? pageText(occurrence) : keptText(occurrence);
      });
      pages.push({ id: page, aggregateId: aggregateRowId, occurrences: added, texts });
      written.set(id, { page, whole: !stored });
    }
    writes.deleteWhereIn('occurrence_page', 'aggregate_id', replaced);
    writes.deleteWhereIn('occurrence_page', 'id', emptied);
    const { rows, buffer } = pageRows(pages);
    if (buffer) writes.adopt(buffer);
    writes.insertMissing('occurrence_page', rows, 'id', ['occurrences', 'stacks']);
    return written;
  }

  /** A changed target's row with every key's total: the working set holds them all (load). */
  private writeTargetTotals(writes: RowWrites, state: ProjectionState): void {
    const rows = [...state.changed.targetTotals].map((id) => {
      const { service, targetUuid } = parseTargetTotalsId(id);
      return {
        id: this.known.targetTotalsRowIds.of(id, service, targetUuid),
        service,
        target_uuid: targetUuid,
        totals: totalsText(state.targetTotals.get(id)!),
      };
    });
    writes.upsert(TargetTotalsEntity.meta.tableName, rows);
  }

  private aggregateRowId(id: string, { service, aggregationKey }: Pick<AggregateState, 'service' | 'aggregationKey'>): string {
    return this.known.aggregateRowIds.of(id, service, aggregationKey);
  }

  /** Rows of the buckets `ids` with their counts: a batch's, or a rebuild's written ahead of its commit. */
  bucketRows(ids: Iterable<string>, counts: ReadonlyMap<string, number>): ColumnValues[] {
    const rows: ColumnValues[] = [];
    for (const id of ids) {
      const bucket = parseBucketId(id);
      const cached = this.known.buckets.get(id);
      const stored = cached?.rowId ?? storedBucketId(bucket);
      if (cached) cached.rowId = stored;
      rows.push({ id: stored, aggregate_id: this.known.aggregateRowIds.of(bucket.aggregate, bucket.service, bucket.key), step: bucket.step, t: bucket.start, count: counts.get(id)! });
    }
    return rows;
  }

  private writeBuckets(writes: RowWrites, state: ProjectionState): void {
    writes.upsert('occurrence_bucket', this.bucketRows(state.changed.buckets, state.buckets));
    if (state.newestAt === null) return;
    for (const step of BUCKET_STEPS) writes.deleteWhere('occurrence_bucket', { step }, ['t', state.newestAt - state.bucketRetentionMs[step]]);
  }

  private writeTargets(writes: RowWrites, state: ProjectionState): void {
    for (const service of state.changed.targets) {
      writes.deleteWhere('target', { service_id: rowId(service) });
      writes.insert('target', [...state.targets.get(service)!.values()].map(targetColumns));
    }
    const statusChanges = [...state.changed.targetRows]
      .map(parseTargetRowId)
      .filter(({ service }) => !state.changed.targets.has(service))
      .map(({ service, url }) => state.targets.get(service)?.get(url))
      .filter((target) => target !== undefined);
    writes.upsert('target', statusChanges.map(targetColumns));
  }
}

/** The stored id of a bucket: rowId of its natural key, whatever the working set's id looks like. */
export function storedBucketId({ service, key, step, start }: ReturnType<typeof parseBucketId>): string {
  return rowId(service, key, step, String(start));
}

// When an aggregate's pages are replaced whole (its stored pages unknown: a parallel rebuild's
// commits), each occurrence object is serialised once and its text reused at the next commit.
const textOf = new WeakMap<FoldedOccurrence, PageText>();

function keptText(occurrence: FoldedOccurrence): PageText {
  if (isLogged(occurrence)) return occurrence;
  let text = textOf.get(occurrence);
  if (text === undefined) {
    text = pageText(occurrence);
    textOf.set(occurrence, text);
  }
  return text;
}

/** A logged occurrence as it is (its bytes, its stack trace's place); an object serialised here. */
function pageText(occurrence: FoldedOccurrence): PageText {
  return isLogged(occurrence) ? occurrence : JSON.stringify(occurrence);
}

function aggregateColumns(state: AggregateState, id: string, serviceId: string): ColumnValues {
  return {
    id,
    service_id: serviceId,
    service: state.service,
    aggregation_key: state.aggregationKey,
    severity: state.severity,
    total_count: state.totalCount,
    created_at: state.createdAt,
    last_seen: state.lastSeen,
    resolved_at: state.resolvedAt,
    resolved_count: state.resolvedCount,
    reopened_at: state.reopenedAt,
  };
}

function targetColumns(state: TargetState): ColumnValues {
  return {
    id: rowId(state.service, state.url),
    service_id: rowId(state.service),
    service: state.service,
    url: state.url,
    address: state.address,
    labels: JSON.stringify(state.labels),
    status: state.status,
    last_error_reason: state.lastError?.reason ?? null,
    last_error_detail: state.lastError?.detail ?? null,
    status_at: state.statusAt,
  };
}
