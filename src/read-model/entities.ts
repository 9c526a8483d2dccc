import { BigIntType, EntitySchema } from '@mikro-orm/core';
import type { AggregateState } from '../projector/aggregate-rules.js';
import type { BreakdownCount } from '../projector/breakdown.js';
import type { ErrorOccurrence } from '../scraper/payload.types.js';
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

/** The projection's aggregate, keyed for storage; its occurrences are rows of error_occurrence. */
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
 * One of an aggregate's latest occurrences (at most LATEST_ERRORS_CAP per aggregate): a row
 * each, so a batch writes the occurrences it adds and deletes those pushed out, not the
 * aggregate's whole list.
 */
export interface ErrorOccurrenceRow {
  /** rowId(service, aggregation key, uuid, timestamp): an occurrence is its uuid at its time. */
  id: string;
  /** The aggregated_error row's id. */
  aggregateId: string;
  uuid: string;
  /** The occurrence's time, epoch ms (newest first is the order read). */
  timestamp: number;
  occurrence: ErrorOccurrence;
}

export const ErrorOccurrenceEntity = new EntitySchema<ErrorOccurrenceRow>({
  name: 'ErrorOccurrenceRow',
  tableName: 'error_occurrence',
  properties: {
    id: { type: 'string', length: 64, primary: true },
    aggregateId: { type: 'string', length: 64 },
    uuid: { type: 'text' },
    timestamp: { ...epochMs() },
    occurrence: { type: new JsonDocument() },
  },
});

export interface TargetCountRow {
  id: string;
  service: string;
  targetUuid: string;
  aggregationKey: string;
  total: number;
}

export const TargetCountEntity = new EntitySchema<TargetCountRow>({
  name: 'TargetCountRow',
  tableName: 'target_count',
  properties: {
    id: { type: 'string', length: 64, primary: true },
    service: { type: 'text' },
    targetUuid: { type: 'text' },
    aggregationKey: { type: 'text' },
    total: { ...epochMs() },
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
  ErrorOccurrenceEntity,
  TargetCountEntity,
  TargetEntity,
  OccurrenceBucketEntity,
  ErrorBreakdownEntity,
  CheckpointEntity,
];
