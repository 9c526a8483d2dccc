import { hash } from 'node:crypto';
import type { AggregatedErrorPayload, ScrapedPayload } from './payload.types.js';
import type { KnownSegment } from './segmented-parse.js';

/**
 * What this process last published for one target. Kept for every target between scrapes, so
 * kept small: no occurrences, their uuids only as fingerprints, the aggregated errors' bytes
 * only as digests.
 */
export interface PublishedTarget {
  targetUuid: string;
  totals: Map<string, number>;
  /** By aggregation key: occurrenceFingerprints of the uuids seen in its latest occurrences. */
  seen: Map<string, string>;
  /** The aggregated errors as scraped, by segment digest (empty when the body was parsed whole). */
  segments: Map<string, KnownSegment>;
}

function sameTarget(previous: PublishedTarget | undefined, targetUuid: string): PublishedTarget | undefined {
  return previous && previous.targetUuid === targetUuid ? previous : undefined;
}

/**
 * Events record changes, not repetitions: of a scraped payload keep the keys whose total
 * changed since the last publish, each with only the occurrences not yet published.
 * A new target_uuid (the instance restarted) starts from nothing. `segments` is what the
 * parser kept of the payload's aggregated errors (FetchOutcome.segments), `unparsedSeen` the
 * fingerprints of each one's recorded occurrences it left out unparsed (FetchOutcome.unparsedSeen).
 */
export function changedSince(
  previous: PublishedTarget | undefined,
  targetUuid: string,
  payload: ScrapedPayload,
  segments: readonly KnownSegment[] | null = null,
  unparsedSeen: readonly string[] = [],
): { changed: AggregatedErrorPayload[]; next: PublishedTarget } {
  const base = sameTarget(previous, targetUuid);
  const next: PublishedTarget = {
    targetUuid,
    totals: new Map(),
    seen: new Map(),
    segments: new Map(segments?.map((segment) => [segment.digest, segment])),
  };
  const changed: AggregatedErrorPayload[] = [];
  for (const [index, error] of payload.aggregated_errors.entries()) {
    const key = error.aggregation_key;
    const seen = base?.seen.get(key) ?? '';
    next.totals.set(key, error.total_count);
    // An unchanged total means nothing new: what was seen stays seen (the parser may not even
    // have read this key's occurrences, see RecordedTotals).
    if (base?.totals.get(key) === error.total_count) {
      next.seen.set(key, seen);
      continue;
    }
    next.seen.set(key, (unparsedSeen[index] ?? '') + occurrenceFingerprints(error.latest_errors.map((o) => o.uuid)));
    changed.push({ ...error, latest_errors: error.latest_errors.filter((o) => !hasFingerprint(seen, o.uuid)) });
  }
  return { changed, next };
}

/**
 * 96 bits of an occurrence uuid's SHA-256, in base64: 16 characters instead of the uuid and
 * a Set entry, for a thousand targets × their keys × their latest occurrences. A false match
 * would need a collision between uuids of one key of one target, and would only drop one of
 * that target's own occurrences.
 */
const FINGERPRINT_CHARS = 16;

function fingerprint(uuid: string): string {
  return hash('sha256', uuid, 'base64').slice(0, FINGERPRINT_CHARS);
}

/** The fingerprints of `uuids`, end to end. */
export function occurrenceFingerprints(uuids: readonly string[]): string {
  return uuids.map(fingerprint).join('');
}

export function hasFingerprint(fingerprints: string, uuid: string): boolean {
  const wanted = fingerprint(uuid);
  for (let at = 0; at < fingerprints.length; at += FINGERPRINT_CHARS) {
    if (fingerprints.startsWith(wanted, at)) return true;
  }
  return false;
}
