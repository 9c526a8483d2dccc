import type { BucketStep } from './occurrence-buckets.js';

// Ids of the records of a working set (ProjectionState): keys of its maps, built for every
// report an event carries and never stored (a row's primary key is rowId() of its natural key,
// row-id.ts). Plain concatenations with each free-text part's length ahead of it: as injective
// as JSON.stringify of an array, without building the array or escaping; a tenth of a replay
// worker's fold was spent in JSON.stringify of ids.

// An aggregate's ids are built for each report of each event, by load and by apply, and looked
// up in several maps each: kept per service and key, each is built once and its hash computed
// once (a string caches its hash), instead of a new string to build and hash every time.
// Each kind bounded: started over past KEPT_AGGREGATES aggregates.
const KEPT_AGGREGATES = 50_000;
const keptAggregates = new Map<string, Map<string, string>>();
let keptAggregateCount = 0;
/** By aggregateId: its buckets' ids by step, for the bucket each step counts in now. */
const keptBuckets = new Map<string, Partial<Record<BucketStep, { start: number; id: string }>>>();

/** `<service length>:<key length>:<service><key>`: ends where its lengths say, so ids can extend it. */
export function aggregateId(service: string, key: string): string {
  let keys = keptAggregates.get(service);
  const kept = keys?.get(key);
  if (kept !== undefined) return kept;
  if (keptAggregateCount >= KEPT_AGGREGATES) {
    keptAggregates.clear();
    keptAggregateCount = 0;
    keys = undefined;
  }
  if (!keys) keptAggregates.set(service, (keys = new Map()));
  const id = `${service.length}:${key.length}:${service}${key}`;
  keys.set(key, id);
  keptAggregateCount++;
  return id;
}

/** A target's totals, one per (service, target_uuid): `<service length>:<service><target uuid>`. */
export function targetTotalsId(service: string, targetUuid: string): string {
  return servicePrefixed(service, targetUuid);
}

/** A bucket of an aggregate whose aggregateId is known (apply builds it once per report). */
export function bucketIdOf(aggregate: string, step: BucketStep, start: number): string {
  let steps = keptBuckets.get(aggregate);
  const kept = steps?.[step];
  if (kept?.start === start) return kept.id;
  const id = `${aggregate}${step}@${start}`;
  if (!steps) {
    if (keptBuckets.size >= KEPT_AGGREGATES) keptBuckets.clear();
    keptBuckets.set(aggregate, (steps = {}));
  }
  steps[step] = { start, id };
  return id;
}

export function bucketId(service: string, key: string, step: BucketStep, start: number): string {
  return bucketIdOf(aggregateId(service, key), step, start);
}

export function targetRowId(service: string, url: string): string {
  return servicePrefixed(service, url);
}

/** `<service length>:<service><rest>`: parseServicePrefix takes it apart. */
function servicePrefixed(service: string, rest: string): string {
  return `${service.length}:${service}${rest}`;
}

/** An aggregateId at the start of `id`, and where the rest of `id` starts. */
function parseAggregatePrefix(id: string): { service: string; key: string; rest: number } {
  const colon = id.indexOf(':');
  const secondColon = id.indexOf(':', colon + 1);
  const serviceLength = Number(id.slice(0, colon));
  const keyLength = Number(id.slice(colon + 1, secondColon));
  const start = secondColon + 1;
  return { service: id.slice(start, start + serviceLength), key: id.slice(start + serviceLength, start + serviceLength + keyLength), rest: start + serviceLength + keyLength };
}

export function parseAggregateId(id: string): { service: string; key: string } {
  const { service, key } = parseAggregatePrefix(id);
  return { service, key };
}

/** A bucketId's parts; `aggregate` is the aggregateId it starts with. */
export function parseBucketId(id: string): { service: string; key: string; step: BucketStep; start: number; aggregate: string } {
  const { service, key, rest } = parseAggregatePrefix(id);
  const at = id.lastIndexOf('@');
  return { service, key, step: id.slice(rest, at) as BucketStep, start: Number(id.slice(at + 1)), aggregate: id.slice(0, rest) };
}

export function parseTargetRowId(id: string): { service: string; url: string } {
  const { service, rest } = parseServicePrefix(id);
  return { service, url: rest };
}

export function parseTargetTotalsId(id: string): { service: string; targetUuid: string } {
  const { service, rest } = parseServicePrefix(id);
  return { service, targetUuid: rest };
}

/** `<service length>:<service><rest>` apart. */
function parseServicePrefix(id: string): { service: string; rest: string } {
  const colon = id.indexOf(':');
  const start = colon + 1;
  const end = start + Number(id.slice(0, colon));
  return { service: id.slice(start, end), rest: id.slice(end) };
}
