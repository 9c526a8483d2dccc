import { BigIntType, EntitySchema } from '@mikro-orm/core';
import type { AggregateState } from '../projector/aggregate-rules.js';
import type { BreakdownCount } from '../projector/breakdown.js';
import { JsonDocument } from './json-document.js';

// One schema for SQLite, PostgreSQL and MySQL (created by migrations/, not from these
// definitions). Primary keys, and `service_id`, are SHA-256 hex of the natural key: service
// names and aggregation keys are free text up to kilobytes, too long for a portable index.
// Times are epoch milliseconds.

const epochMs = () => ({ type: new BigIntType('number') });

export interface ServiceRow {
  id: string;
  name: string;
}

export const ServiceEntity = new EntitySchema<ServiceRow>({
  name: 'ServiceRow',
  tableName: 'service',
  properties: {
    id: { type: 'string', length: 64, primary: true },
    name: { type: 'text' },
  },
});

/** The projection's aggregate, keyed for storage; its occurrences are on pages (occurrence_page). */
export interface AggregatedErrorRow extends Omit<AggregateState, 'latestErrors'> {
  id: string;
  serviceId: string;
}

export const AggregatedErrorEntity = new EntitySchema<AggregatedErrorRow>({
  name: 'AggregatedErrorRow',
  tableName: 'aggregated_error',
  properties: {
    id: { type: 'string', length: 64, primary: true },
    serviceId: { type: 'string', length: 64 },
    service: { type: 'text' },
    aggregationKey: { type: 'text' },
    severity: { type: 'string', length: 16 },
    totalCount: { ...epochMs() },
    createdAt: { ...epochMs() },
    lastSeen: { ...epochMs(), nullable: true },
    resolvedAt: { ...epochMs(), nullable: true },
    resolvedCount: { ...epochMs(), nullable: true },
    reopenedAt: { ...epochMs(), nullable: true },
  },
});

/**
 * Some of an aggregate's latest occurrences: those one commit added to its latest hundred
 * (LATEST_ERRORS_CAP), in one row. An aggregate's latest hundred are the newest hundred of
 * its pages' occurrences; a page is deleted once none of its occurrences is among them. A
 * commit writes a page per error it changed, a dozen occurrences each, instead of a row per
 * occurrence: SQLite's cost per row (an id hashed, two indexes, a delete per occurrence
 * pushed out) was most of what the projector's writes cost.
 */
export interface OccurrencePageRow {
  /** rowId('page', the aggregated_error row's id, the log sequence its commit went through). */
  id: string;
  /** The aggregated_error row's id. */
  aggregateId: string;
  /** Timestamp (epoch ms) of its newest occurrence, its first: where a list's newest occurrence is. */
  newest: number;
  /** JSON `[[uuid, timestamp], …]` of its occurrences, in order: what the projector reads back. */
  identities: string;
  /**
   * JSON array of its occurrences, newest first (newerFirst), as the API serves them but for
   * stack traces held in `stacks`: an error's `"stacktrace":N` is the list `stacks[N]` (page-rows.ts).
   */
  occurrences: string;
  /** JSON array of the distinct stack traces its occurrences refer to; null when none does. */
  stacks: string | null;
}

export const OccurrencePageEntity = new EntitySchema<OccurrencePageRow>({
  name: 'OccurrencePageRow',
  tableName: 'occurrence_page',
  properties: {
    id: { type: 'string', length: 64, primary: true },
    aggregateId: { type: 'string', length: 64 },
    newest: { ...epochMs() },
    identities: { type: 'text' },
    occurrences: { type: 'text' },
    stacks: { type: 'text', nullable: true },
  },
});

/** A target's last totals, every key it reported (the projector's delta counting reads them back). */
export interface TargetTotalsRow {
  /** rowId(service, target_uuid) */
  id: string;
  service: string;
  targetUuid: string;
  /** JSON object: the last total_count the target reported per aggregation key. */
  totals: string;
}

export const TargetTotalsEntity = new EntitySchema<TargetTotalsRow>({
  name: 'TargetTotalsRow',
  tableName: 'target_totals',
  properties: {
    id: { type: 'string', length: 64, primary: true },
    service: { type: 'text' },
    targetUuid: { type: 'text' },
    totals: { type: 'text' },
  },
});

export interface TargetRow {
  id: string;
  serviceId: string;
  service: string;
  url: string;
  address: string;
  labels: Record<string, string>;
  status: 'unknown' | 'up' | 'down';
  lastErrorReason: string | null;
  lastErrorDetail: string | null;
  statusAt: number | null;
}

export const TargetEntity = new EntitySchema<TargetRow>({
  name: 'TargetRow',
  tableName: 'target',
  properties: {
    id: { type: 'string', length: 64, primary: true },
    serviceId: { type: 'string', length: 64 },
    service: { type: 'text' },
    url: { type: 'text' },
    address: { type: 'text' },
    labels: { type: new JsonDocument() },
    status: { type: 'string', length: 16 },
    lastErrorReason: { type: 'string', length: 32, nullable: true },
    lastErrorDetail: { type: 'text', nullable: true },
    statusAt: { ...epochMs(), nullable: true },
  },
});

export interface OccurrenceBucketRow {
  id: string;
  /** The aggregated_error row's id. */
  aggregateId: string;
  step: '1m' | '1h';
  /** Bucket start, epoch ms. */
  t: number;
  count: number;
}

export const OccurrenceBucketEntity = new EntitySchema<OccurrenceBucketRow>({
  name: 'OccurrenceBucketRow',
  tableName: 'occurrence_bucket',
  properties: {
    id: { type: 'string', length: 64, primary: true },
    aggregateId: { type: 'string', length: 64 },
    step: { type: 'string', length: 4 },
    t: { ...epochMs() },
    count: { ...epochMs() },
  },
});

/** The projection's count under one target label value (breakdown.ts), keyed for storage. */
export interface ErrorBreakdownRow extends BreakdownCount {
  id: string;
  /** The aggregated_error row's id. */
  aggregateId: string;
}

export const ErrorBreakdownEntity = new EntitySchema<ErrorBreakdownRow>({
  name: 'ErrorBreakdownRow',
  tableName: 'error_breakdown',
  properties: {
    id: { type: 'string', length: 64, primary: true },
    aggregateId: { type: 'string', length: 64 },
    service: { type: 'text' },
    aggregationKey: { type: 'text' },
    label: { type: 'text' },
    value: { type: 'text' },
    count: { ...epochMs() },
    firstSeen: { ...epochMs() },
  },
});

export interface CheckpointRow {
  name: string;
  seq: number;
}

/** The last applied stream sequence, written in the same transaction as the changes. */
export const CheckpointEntity = new EntitySchema<CheckpointRow>({
  name: 'CheckpointRow',
  tableName: 'checkpoint',
  properties: {
    name: { type: 'string', length: 64, primary: true },
    seq: { ...epochMs() },
  },
});

export const READ_MODEL_ENTITIES = [
  ServiceEntity,
  AggregatedErrorEntity,
  OccurrencePageEntity,
  TargetTotalsEntity,
  TargetEntity,
  OccurrenceBucketEntity,
  ErrorBreakdownEntity,
  CheckpointEntity,
];
