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
    next.seen.set(key, occurrenceFingerprints(error.latest_errors.map((o) => o.uuid), unparsedSeen[index]));
    changed.push({ ...error, latest_errors: error.latest_errors.filter((o) => !hasFingerprint(seen, o.uuid)) });
  }
  return { changed, next };
}

/**
 * 72 bits of an occurrence uuid's SHA-256, in base64: 12 characters instead of the uuid and
 * a Set entry, for a thousand targets × their keys × their latest occurrences. A false match
 * would need a collision between uuids of one key of one target, and would only drop one of
 * that target's own occurrences.
 * Kept for every target, so kept flat. 12 characters is below V8's shortest sliced string (13):
 * a fingerprint is a copy, not a view that keeps its whole 44-character digest alive. And a
 * key's fingerprints are joined into one string, never added piece by piece (a rope whose
 * pieces each keep their digest): at 1,000 targets × 50 keys the ropes and digests held ~20 MB
 * of a 127 MB heap (a heap snapshot).
 */
const FINGERPRINT_CHARS = 12;

function fingerprint(uuid: string): string {
  return hash('sha256', uuid, 'base64').slice(0, FINGERPRINT_CHARS);
}

/** `recorded` (fingerprints already known) followed by the fingerprints of `uuids`, as one flat string. */
export function occurrenceFingerprints(uuids: readonly string[], recorded = ''): string {
  return [recorded, ...uuids.map(fingerprint)].join('');
}

export function hasFingerprint(fingerprints: string, uuid: string): boolean {
  const wanted = fingerprint(uuid);
  for (let at = 0; at < fingerprints.length; at += FINGERPRINT_CHARS) {
    if (fingerprints.startsWith(wanted, at)) return true;
  }
  return false;
}
