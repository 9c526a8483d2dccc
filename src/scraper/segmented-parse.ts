import { hash } from 'node:crypto';
import { elementIdentity, latestOccurrences, type PayloadBodySplit } from './body-segments.js';
import { hasFingerprint, occurrenceFingerprints } from './snapshot-delta.js';
import { aggregationKeyOf, parseScrapedPayload, targetUuidOf, withoutOccurrences, type JsonObject, type RecordedTotals } from './payload.js';
import type { ScrapedPayload } from './payload.types.js';

// Parsing a split body (body-segments.ts): every aggregated error whose digest (its identity:
// length, total_count and key; or a hash of its bytes) is that of one recorded from the same
// target (same target_uuid) with the same total_count is taken from what was kept of it, not
// read again; the rest goes through JSON.parse and
// parseScrapedPayload as a whole body would, with the same result.

/** What the scraper keeps of one aggregated error it recorded: a few fields, no occurrences. */
export interface KnownSegment {
  /** The element's SplitDigests segment: its identity, or a hash of its bytes. */
  digest: string;
  key: string;
  total: number;
  /** The element's value without its occurrences (withoutOccurrences). */
  header: JsonObject;
}

/** The segments recorded for a target, by digest; undefined when its target_uuid is another. */
export type RecordedSegments = (targetUuid: string | null) => ReadonlyMap<string, KnownSegment> | undefined;

/**
 * By aggregation key, occurrenceFingerprints of the occurrences recorded from a target
 * (snapshot-delta's PublishedTarget.seen); undefined when its target_uuid is another.
 */
export type RecordedOccurrences = (targetUuid: string | null) => ReadonlyMap<string, string> | undefined;

/** Digests of a split body: one per element, and one of the whole body built from them. */
export interface SplitDigests {
  /**
   * Equal for two bodies only when they are byte for byte the same, but for elements of the
   * same identity (elementIdentity: their bytes are not read).
   */
  body: string;
  /** Per element: its elementIdentity (`id:…`), or `sha:` and a hash of its bytes. */
  segments: string[];
}

/** 128 bits of SHA-256 (in base64): a collision would cost a target only its own update. */
const SEGMENT_DIGEST_CHARS = 22;

export function splitDigests(body: Buffer, split: PayloadBodySplit): SplitDigests {
  const segments = split.segments.map(({ start, end, head }) =>
    head === null ? `sha:${hash('sha256', body.subarray(start, end), 'base64').slice(0, SEGMENT_DIGEST_CHARS)}` : elementIdentity(end - start, head),
  );
  // The bytes around the array and each element's digest in place of its bytes (a hash tree).
  const outside = [body.toString('latin1', 0, split.open + 1), body.toString('latin1', split.close)];
  return { body: `tree:${hash('sha256', JSON.stringify([split.member, ...outside, ...segments]), 'base64')}`, segments };
}

/**
 * The body's payload and what to keep of each of its aggregated errors, or null when some part
 * is not JSON: the caller then parses the whole body, for JSON.parse's own message. Throws
 * PayloadError as parseScrapedPayload does.
 */
export function parseSplitBody(
  body: Buffer,
  split: PayloadBodySplit,
  digests: readonly string[],
  recordedTotals: RecordedTotals | undefined,
  recordedSegments: RecordedSegments | undefined,
  recordedOccurrences?: RecordedOccurrences,
): { payload: ScrapedPayload; segments: KnownSegment[]; unparsedSeen: string[] } | null {
  let skeleton: Record<string, unknown>;
  try {
    // The body with its aggregated errors' array emptied: target_uuid and anything else.
    skeleton = JSON.parse(body.toString('utf8', 0, split.open + 1) + body.toString('utf8', split.close)) as Record<string, unknown>;
  } catch {
    return null;
  }
  const targetUuid = targetUuidOf(skeleton);
  const totals = recordedTotals?.(targetUuid);
  const known = recordedSegments?.(targetUuid);
  const seen = recordedOccurrences?.(targetUuid);
  const reused: (KnownSegment | null)[] = [];
  const elements: unknown[] = [];
  const unparsedSeen: string[] = [];
  for (const [index, { start, end }] of split.segments.entries()) {
    const segment = known?.get(digests[index]!);
    if (segment && totals?.get(segment.key) === segment.total) {
      reused.push(segment);
      elements.push(segment.header);
      unparsedSeen.push('');
      continue;
    }
    reused.push(null);
    try {
      const element = parseChangedElement(body, start, end, seen);
      elements.push(element.value);
      unparsedSeen.push(element.unparsedSeen);
    } catch {
      return null;
    }
  }
  // The member whose array was emptied gets its elements back (the only one of that name:
  // splitPayloadBody checked).
  skeleton[split.member] = elements;
  const payload = parseScrapedPayload(skeleton, recordedTotals);
  const segments = payload.aggregated_errors.map(
    (error, index): KnownSegment =>
      reused[index] ?? { digest: digests[index]!, key: error.aggregation_key, total: error.total_count, header: withoutOccurrences(elements[index]) },
  );
  return { payload, segments, unparsedSeen };
}

/**
 * An aggregated error whose total changed: its occurrences recorded before (by uuid) are left
 * unparsed, as nothing of them is recorded again; their fingerprints come back as
 * `unparsedSeen`. Throws SyntaxError as JSON.parse of the whole element would (not with its message).
 */
function parseChangedElement(body: Buffer, start: number, end: number, seen: ReadonlyMap<string, string> | undefined): { value: unknown; unparsedSeen: string } {
  const latest = seen && latestOccurrences(body, start);
  if (!latest) return { value: JSON.parse(body.toString('utf8', start, end)) as unknown, unparsedSeen: '' };
  // The element with its occurrences' array emptied.
  const shell = JSON.parse(body.toString('utf8', start, latest.open + 1) + body.toString('utf8', latest.close, end)) as unknown;
  const key = aggregationKeyOf(shell);
  // A key with nothing recorded: every occurrence is parsed.
  const fingerprints = (key === null ? undefined : seen.get(key)) ?? '';
  const kept: unknown[] = [];
  const unparsed: string[] = [];
  for (const occurrence of latest.occurrences) {
    const uuid = occurrence.uuid === null ? null : (JSON.parse(occurrence.uuid) as string);
    if (uuid !== null && fingerprints !== '' && hasFingerprint(fingerprints, uuid)) {
      unparsed.push(uuid);
      continue;
    }
    kept.push(JSON.parse(body.toString('utf8', occurrence.start, occurrence.end)));
  }
  (shell as Record<string, unknown>)[latest.member] = kept;
  return { value: shell, unparsedSeen: occurrenceFingerprints(unparsed) };
}
