import type { BucketStep } from './occurrence-buckets.js';

// Ids of the records of a working set (ProjectionState): keys of its maps, built for every
// report an event carries and never stored (a row's primary key is rowId() of its natural key,
// row-id.ts). Plain concatenations with each free-text part's length ahead of it: as injective
// as JSON.stringify of an array, without building the array or escaping; a tenth of a replay
// worker's fold was spent in JSON.stringify of ids.

/** `<service length>:<key length>:<service><key>`: ends where its lengths say, so ids can extend it. */
export function aggregateId(service: string, key: string): string {
  return `${service.length}:${key.length}:${service}${key}`;
}

export function targetCountId(service: string, targetUuid: string, key: string): string {
  return targetCountIdOf(aggregateId(service, key), targetUuid);
}

/** A per-target total of an aggregate whose aggregateId is known. */
export function targetCountIdOf(aggregate: string, targetUuid: string): string {
  return aggregate + targetUuid;
}

/** A bucket of an aggregate whose aggregateId is known (apply builds it once per report). */
export function bucketIdOf(aggregate: string, step: BucketStep, start: number): string {
  return `${aggregate}${step}@${start}`;
}

export function bucketId(service: string, key: string, step: BucketStep, start: number): string {
  return bucketIdOf(aggregateId(service, key), step, start);
}

export function targetRowId(service: string, url: string): string {
  return `${service.length}:${service}${url}`;
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

export function parseTargetCountId(id: string): { service: string; targetUuid: string; key: string } {
  const { service, key, rest } = parseAggregatePrefix(id);
  return { service, targetUuid: id.slice(rest), key };
}

/** A bucketId's parts; `aggregate` is the aggregateId it starts with. */
export function parseBucketId(id: string): { service: string; key: string; step: BucketStep; start: number; aggregate: string } {
  const { service, key, rest } = parseAggregatePrefix(id);
  const at = id.lastIndexOf('@');
  return { service, key, step: id.slice(rest, at) as BucketStep, start: Number(id.slice(at + 1)), aggregate: id.slice(0, rest) };
}

export function parseTargetRowId(id: string): { service: string; url: string } {
  const colon = id.indexOf(':');
  const start = colon + 1;
  const end = start + Number(id.slice(0, colon));
  return { service: id.slice(start, end), url: id.slice(end) };
}
