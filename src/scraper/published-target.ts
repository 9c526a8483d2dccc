import type { SharedTexts } from '../memory/shared-texts.js';
import { elementIdentity, parseElementIdentity, type RecordedLengths } from './body-segments.js';
import type { RecordedBody, UnpackableRecord } from './inspect-body.js';
import type { AggregatedErrorPayload } from './payload.types.js';
import type { KnownSegment } from './segmented-parse.js';

/** Marks a segment kept as its whole digest (no identity to rebuild it from). */
const WHOLE_DIGEST = -1;

/** Segment texts that are the keys as JSON strings, rebuilt from the keys rather than kept. */
const KEYS_AS_WRITTEN = 'keys as written';

/**
 * What this process last published for one target, kept between scrapes for every target:
 * per aggregated error its key, total and header fields, the fingerprints of the occurrences
 * recorded and what identifies its bytes. Packed: per target a few arrays indexed by the
 * error's place in the body, the texts every target repeats (keys, severities) shared. As Maps
 * of strings and objects per key it took ~25 MB at 1,000 targets × 50 keys (a heap snapshot,
 * ~500 bytes per target and key); a scrape unpacks it only when its body has changed
 * (`recorded()`), into Maps that die with the scrape.
 */
export class PublishedTarget {
  private constructor(
    readonly targetUuid: string,
    private readonly keys: readonly string[],
    /**
     * Error i's total at [i], the end of its fingerprints in `seen` at [n + i], and with
     * segments its segment's length (or WHOLE_DIGEST) at [2n + i]: one array, not three (each
     * typed array carries ~200 bytes besides its numbers, kept for every target).
     */
    private readonly numbers: Float64Array,
    /** With segments, each error's header fields besides key and total, as written (severity, created_at). */
    private readonly severities: readonly unknown[] | null,
    private readonly createdAts: readonly unknown[] | null,
    /** Every error's occurrenceFingerprints, one after the other. */
    private readonly seen: string,
    /**
     * Per error, what identifies its bytes (segmented-parse's KnownSegment.digest): for an
     * identity, the key as written (shared) and the element's length; otherwise the whole
     * digest and WHOLE_DIGEST. KEYS_AS_WRITTEN when every key was written as `"<key>"` (no
     * escapes: the usual case), null when the body was parsed whole.
     */
    private readonly segmentTexts: readonly string[] | typeof KEYS_AS_WRITTEN | null,
  ) {}

  private get count(): number {
    return this.keys.length;
  }

  /**
   * Packs what changedSince keeps of a payload: `seen[i]` is the fingerprints of error i,
   * `segments[i]` (when given, one per error) the segment parsed for it.
   */
  static pack(
    targetUuid: string,
    errors: readonly AggregatedErrorPayload[],
    seen: readonly string[],
    segments: readonly KnownSegment[] | null,
    texts: SharedTexts,
  ): PublishedTarget {
    const n = errors.length;
    const headers = segments?.length === n ? segments.map((s) => s.header) : null;
    const numbers = new Float64Array(headers ? 3 * n : 2 * n);
    let seenLength = 0;
    let anyCreatedAt = false;
    for (let i = 0; i < n; i++) {
      numbers[i] = errors[i]!.total_count;
      seenLength += seen[i]!.length;
      numbers[n + i] = seenLength;
    }
    const severities = headers?.map((h) => sharedValue(h['severity'], texts));
    const createdAts = headers?.map((h) => {
      const value = h['created_at'] ?? h['createdAt'];
      anyCreatedAt ||= value !== undefined && value !== null;
      return value;
    });
    const segmentTexts = headers ? packSegments(segments!, errors, texts, numbers.subarray(2 * n)) : null;
    return new PublishedTarget(
      targetUuid,
      errors.map((e) => texts.of(e.aggregation_key)),
      numbers,
      severities ?? null,
      anyCreatedAt ? createdAts! : null,
      seen.join(''),
      segmentTexts,
    );
  }

  /** What a scrape compares its body with: unpacked at most once, and only if the body must be parsed. */
  recorded(): UnpackableRecord {
    let body: RecordedBody | undefined;
    return { targetUuid: this.targetUuid, lengths: () => this.lengths(), body: () => (body ??= this.unpack()) };
  }

  /** The length of each error recorded by identity, by its head: a hint to split the next body. */
  lengths(): RecordedLengths {
    const lengths = new Map<string, number>();
    if (!this.segmentTexts) return lengths;
    const n = this.count;
    for (let i = 0; i < n; i++) {
      const length = this.numbers[2 * n + i]!;
      if (length !== WHOLE_DIGEST) lengths.set(this.segmentHead(i), length);
    }
    return lengths;
  }

  unpack(): RecordedBody {
    const totals = new Map<string, number>();
    const seen = new Map<string, string>();
    const segments = new Map<string, KnownSegment>();
    const n = this.count;
    for (let i = 0; i < n; i++) {
      const key = this.keys[i]!;
      const total = this.numbers[i]!;
      totals.set(key, total);
      seen.set(key, this.seen.slice(i === 0 ? 0 : this.numbers[n + i - 1], this.numbers[n + i]));
      const digest = this.digestOf(i);
      if (digest !== null) segments.set(digest, { digest, key, total, header: this.headerOf(i) });
    }
    return { targetUuid: this.targetUuid, totals, seen, segments };
  }

  private digestOf(i: number): string | null {
    if (!this.segmentTexts) return null;
    const length = this.numbers[2 * this.count + i]!;
    return length === WHOLE_DIGEST ? (this.segmentTexts as readonly string[])[i]! : elementIdentity(length, this.segmentHead(i));
  }

  /** An identity's head (elementHead): `<total>:<key as written>`. */
  private segmentHead(i: number): string {
    const written = this.segmentTexts === KEYS_AS_WRITTEN ? `"${this.keys[i]}"` : this.segmentTexts![i]!;
    return `${this.numbers[i]}:${written}`;
  }

  /** The fields of the error parseAggregatedError reads besides its occurrences (withoutOccurrences). */
  private headerOf(i: number): Record<string, unknown> {
    const header: Record<string, unknown> = { aggregation_key: this.keys[i], total_count: this.numbers[i] };
    const severity = this.severities?.[i];
    if (severity !== undefined) header['severity'] = severity;
    const createdAt = this.createdAts?.[i];
    if (createdAt !== undefined) header['created_at'] = createdAt;
    return header;
  }
}

/** A header's value: a text shared, anything else as it is. */
function sharedValue(value: unknown, texts: SharedTexts): unknown {
  return typeof value === 'string' ? texts.of(value) : value;
}

/**
 * Segments whose digest is an identity (elementIdentity: `id:<length>:<total>:<key as
 * written>`) are kept as the key as written and the length (into `lengths`); the digest is
 * rebuilt from them and the total. Any other digest, or an identity that would not rebuild to
 * itself, is kept whole. KEYS_AS_WRITTEN when every segment is an identity with its key written
 * as `"<key>"`.
 */
function packSegments(
  segments: readonly KnownSegment[],
  errors: readonly AggregatedErrorPayload[],
  texts: SharedTexts,
  lengths: Float64Array,
): readonly string[] | typeof KEYS_AS_WRITTEN {
  const segmentTexts: string[] = [];
  let keysAsWritten = true;
  for (const [i, { digest }] of segments.entries()) {
    const identity = parseElementIdentity(digest);
    const totalPart = `${errors[i]!.total_count}:`;
    if (identity?.head.startsWith(totalPart)) {
      const written = identity.head.slice(totalPart.length);
      keysAsWritten &&= isQuoted(written, errors[i]!.aggregation_key);
      segmentTexts.push(written);
      lengths[i] = identity.length;
    } else {
      keysAsWritten = false;
      segmentTexts.push(digest);
      lengths[i] = WHOLE_DIGEST;
    }
  }
  return keysAsWritten ? KEYS_AS_WRITTEN : segmentTexts.map((text, i) => (lengths[i] === WHOLE_DIGEST ? text : texts.of(text)));
}

/** Whether `written` is `"<key>"`. */
function isQuoted(written: string, key: string): boolean {
  return written.length === key.length + 2 && written.startsWith('"') && written.endsWith('"') && written.startsWith(key, 1);
}
