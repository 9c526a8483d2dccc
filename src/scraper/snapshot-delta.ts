import { hash } from 'node:crypto';
import type { SharedTexts } from '../memory/shared-texts.js';
import type { RecordedBody } from './inspect-body.js';
import type { AggregatedErrorPayload, ScrapedPayload } from './payload.types.js';
import { PublishedTarget } from './published-target.js';
import type { KnownSegment } from './segmented-parse.js';

export { PublishedTarget };

/**
 * Events record changes, not repetitions: of a scraped payload keep the keys whose total
 * changed since the last publish, each with only the occurrences not yet published.
 * `previous` is what was published last, unpacked (PublishedTarget.recorded()); a new
 * target_uuid (the instance restarted) starts from nothing. `segments` is what the parser
 * kept of the payload's aggregated errors (FetchOutcome.segments), `unparsedSeen` the
 * fingerprints of each one's recorded occurrences it left out unparsed (FetchOutcome.unparsedSeen).
 */
export function changedSince(
  previous: RecordedBody | undefined,
  targetUuid: string,
  payload: ScrapedPayload,
  texts: SharedTexts,
  segments: readonly KnownSegment[] | null = null,
  unparsedSeen: readonly string[] = [],
): { changed: AggregatedErrorPayload[]; next: PublishedTarget } {
  const base = previous?.targetUuid === targetUuid ? previous : undefined;
  const seenNext: string[] = [];
  const changed: AggregatedErrorPayload[] = [];
  for (const [index, error] of payload.aggregated_errors.entries()) {
    const key = error.aggregation_key;
    const seen = base?.seen.get(key) ?? '';
    // An unchanged total means nothing new: what was seen stays seen (the parser may not even
    // have read this key's occurrences, see RecordedTotals).
    if (base?.totals.get(key) === error.total_count) {
      seenNext.push(seen);
      continue;
    }
    seenNext.push(occurrenceFingerprints(error.latest_errors.map((o) => o.uuid), unparsedSeen[index]));
    changed.push({ ...error, latest_errors: error.latest_errors.filter((o) => !hasFingerprint(seen, o.uuid)) });
  }
  return { changed, next: PublishedTarget.pack(targetUuid, payload.aggregated_errors, seenNext, segments, texts) };
}

/**
 * 48 bits of an occurrence uuid's SHA-256, as 6 characters of one byte each: kept for every
 * target, its keys and their latest occurrences (a thousand targets × fifty keys × ten), so
 * kept short; a key's fingerprints are one flat string (PublishedTarget keeps a target's all
 * in one). A false match needs a collision among the dozen uuids of one key of one target
 * (about one in 3 × 10^13 per new occurrence) and would drop only that occurrence.
 */
const FINGERPRINT_CHARS = 6;

function fingerprint(uuid: string): string {
  return hash('sha256', uuid, 'binary').slice(0, FINGERPRINT_CHARS);
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
