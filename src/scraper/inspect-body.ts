import { hash } from 'node:crypto';
import { recordedLengths, splitPayloadBody, type PayloadBodySplit, type RecordedLengths } from './body-segments.js';
import { parseScrapedPayload, PayloadError, type RecordedTotals } from './payload.js';
import type { ScrapedPayload } from './payload.types.js';
import { parseSplitBody, splitDigests, type KnownSegment, type RecordedOccurrences, type RecordedSegments, type SplitDigests } from './segmented-parse.js';

// From a target's body to what it holds, given what was recorded of the target before.

/** What was recorded from a target last, unpacked (PublishedTarget.unpack()). */
export interface RecordedBody {
  targetUuid: string;
  totals: ReadonlyMap<string, number>;
  segments: ReadonlyMap<string, KnownSegment>;
  /** By aggregation key: occurrenceFingerprints of the occurrences recorded (not parsed again). */
  seen: ReadonlyMap<string, string>;
}

/** What was recorded from a target last, unpacked only as far as a scrape needs it (PublishedTarget.recorded()). */
export interface UnpackableRecord {
  targetUuid: string;
  /** The lengths of its aggregated errors recorded by identity: a hint to split the next body. */
  lengths(): RecordedLengths;
  body(): RecordedBody;
}

/** A record already unpacked, as an UnpackableRecord. */
export function unpackableRecord(body: RecordedBody): UnpackableRecord {
  return { targetUuid: body.targetUuid, lengths: () => recordedLengths(body.segments.keys()), body: () => body };
}

/** What the scraper already knows of the target, so unchanged parts are not parsed again. */
export interface KnownBody {
  /** `digest` of the last body whose changes were recorded: the same bytes again are not parsed. */
  digest?: string;
  /**
   * Its keys whose total_count is unchanged, its aggregated errors of unchanged identity and
   * its occurrences already recorded are not parsed again.
   */
  recorded?: UnpackableRecord;
  /** The target_uuid of a payload that names none (the target's url). */
  fallbackTargetUuid?: string;
}

/**
 * `payload` is null when the body is byte for byte `known.digest`'s. `segments`, when the
 * body could be split (body-segments.ts), is what to keep of each of payload's aggregated
 * errors for the next scrape's `known.recorded.segments`; `unparsedSeen`, per aggregated
 * error, the fingerprints of its latest occurrences recorded before and left out of its
 * latest_errors unparsed (snapshot-delta's changedSince takes them as still there).
 */
export type BodyOutcome =
  | { ok: true; payload: ScrapedPayload | null; bytes: number; digest: string; segments: KnownSegment[] | null; unparsedSeen?: string[] }
  | { ok: false; reason: 'invalid_json' | 'invalid_shape'; detail: string };

export function inspectBody(body: Buffer, known: KnownBody): BodyOutcome {
  // Where the recorded aggregated errors end if unchanged: a hint, checked, to skip their bytes.
  const split = splitPayloadBody(body, known.recorded?.lengths());
  const digests = split ? splitDigests(body, split) : null;
  const digest = digests?.body ?? hash('sha256', body, 'base64');
  // Before decoding: an unchanged body costs its hash, not its decoding and parsing.
  if (digest === known.digest) return { ok: true, payload: null, bytes: body.byteLength, digest, segments: null };
  return parseBody(body, digest, split && digests && { split, digests }, known);
}

function parseBody(body: Buffer, digest: string, splitBody: { split: PayloadBodySplit; digests: SplitDigests } | null, known: KnownBody): BodyOutcome {
  const bytes = body.byteLength;
  const recordedOf = (targetUuid: string | null) => {
    const recorded = known.recorded;
    return recorded && recorded.targetUuid === (targetUuid ?? known.fallbackTargetUuid) ? recorded.body() : undefined;
  };
  const recordedTotals: RecordedTotals = (targetUuid) => recordedOf(targetUuid)?.totals;
  const recordedSegments: RecordedSegments = (targetUuid) => recordedOf(targetUuid)?.segments;
  const recordedOccurrences: RecordedOccurrences = (targetUuid) => recordedOf(targetUuid)?.seen;
  try {
    const parsed = splitBody && parseSplitBody(body, splitBody.split, splitBody.digests.segments, recordedTotals, recordedSegments, recordedOccurrences);
    if (parsed) return { ok: true, payload: parsed.payload, bytes, digest, segments: parsed.segments, unparsedSeen: parsed.unparsedSeen };
  } catch (error) {
    if (error instanceof PayloadError) return { ok: false, reason: 'invalid_shape', detail: error.message };
    throw error;
  }
  // Not split, or some part of it is not JSON: the whole body, as JSON.parse tells about it.
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: 'invalid_json', detail: (error as Error).message };
  }
  try {
    return { ok: true, payload: parseScrapedPayload(json, recordedTotals), bytes, digest, segments: null };
  } catch (error) {
    if (error instanceof PayloadError) return { ok: false, reason: 'invalid_shape', detail: error.message };
    throw error;
  }
}
