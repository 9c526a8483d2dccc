import type { SharedTexts } from '../memory/shared-texts.js';
import { elementIdentity, parseElementIdentity, type RecordedLengths } from './body-segments.js';
import type { RecordedBody, UnpackableRecord } from './inspect-body.js';
import type { AggregatedErrorPayload } from './payload.types.js';
import type { KnownSegment } from './segmented-parse.js';

/** Marks a segment kept as its whole digest (no identity to rebuild it from). */
const WHOLE_DIGEST = -1;

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
    private readonly totals: Float64Array,
    /** With segments, each error's header fields besides key and total, as written (severity, created_at). */
    private readonly severities: readonly unknown[] | null,
    private readonly createdAts: readonly unknown[] | null,
    /** Every error's occurrenceFingerprints, one after the other; error i's end at seenEnds[i]. */
    private readonly seen: string,
    private readonly seenEnds: Uint32Array,
    /**
     * Per error, what identifies its bytes (segmented-parse's KnownSegment.digest): for an
     * identity, the key as written (shared) and the element's length; otherwise the whole
     * digest and WHOLE_DIGEST. Null when the body was parsed whole.
     */
    private readonly segmentTexts: readonly string[] | null,
    private readonly segmentLengths: Float64Array | null,
  ) {}

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
    const totals = new Float64Array(n);
    const seenEnds = new Uint32Array(n);
    let seenLength = 0;
    let anyCreatedAt = false;
    for (let i = 0; i < n; i++) {
      totals[i] = errors[i]!.total_count;
      seenLength += seen[i]!.length;
      seenEnds[i] = seenLength;
    }
    const headers = segments?.length === n ? segments.map((s) => s.header) : null;
    const severities = headers?.map((h) => sharedValue(h['severity'], texts));
    const createdAts = headers?.map((h) => {
      const value = h['created_at'] ?? h['createdAt'];
      anyCreatedAt ||= value !== undefined && value !== null;
      return value;
    });
    const packedSegments = headers && packSegments(segments!, errors, texts);
    return new PublishedTarget(
      targetUuid,
      errors.map((e) => texts.of(e.aggregation_key)),
      totals,
      severities ?? null,
      anyCreatedAt ? createdAts! : null,
      seen.join(''),
      seenEnds,
      packedSegments?.texts ?? null,
      packedSegments?.lengths ?? null,
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
    const texts = this.segmentTexts;
    const segmentLengths = this.segmentLengths;
    if (!texts || !segmentLengths) return lengths;
    for (let i = 0; i < texts.length; i++) if (segmentLengths[i] !== WHOLE_DIGEST) lengths.set(`${this.totals[i]}:${texts[i]}`, segmentLengths[i]!);
    return lengths;
  }

  unpack(): RecordedBody {
    const totals = new Map<string, number>();
    const seen = new Map<string, string>();
    const segments = new Map<string, KnownSegment>();
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i]!;
      const total = this.totals[i]!;
      totals.set(key, total);
      seen.set(key, this.seen.slice(i === 0 ? 0 : this.seenEnds[i - 1], this.seenEnds[i]));
      const digest = this.digestOf(i);
      if (digest !== null) segments.set(digest, { digest, key, total, header: this.headerOf(i) });
    }
    return { targetUuid: this.targetUuid, totals, seen, segments };
  }

  private digestOf(i: number): string | null {
    if (!this.segmentTexts || !this.segmentLengths) return null;
    const length = this.segmentLengths[i]!;
    return length === WHOLE_DIGEST ? this.segmentTexts[i]! : elementIdentity(length, `${this.totals[i]}:${this.segmentTexts[i]}`);
  }

  /** The fields of the error parseAggregatedError reads besides its occurrences (withoutOccurrences). */
  private headerOf(i: number): Record<string, unknown> {
    const header: Record<string, unknown> = { aggregation_key: this.keys[i], total_count: this.totals[i] };
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
 * written>`) are kept as the key as written and the length; the digest is rebuilt from them
 * and the total. Any other digest, or an identity that would not rebuild to itself, is kept whole.
 */
function packSegments(segments: readonly KnownSegment[], errors: readonly AggregatedErrorPayload[], texts: SharedTexts): { texts: string[]; lengths: Float64Array } {
  const segmentTexts: string[] = [];
  const lengths = new Float64Array(segments.length);
  for (const [i, { digest }] of segments.entries()) {
    const identity = parseElementIdentity(digest);
    const totalPart = `${errors[i]!.total_count}:`;
    if (identity?.head.startsWith(totalPart)) {
      segmentTexts.push(texts.of(identity.head.slice(totalPart.length)));
      lengths[i] = identity.length;
    } else {
      segmentTexts.push(digest);
      lengths[i] = WHOLE_DIGEST;
    }
  }
  return { texts: segmentTexts, lengths };
}
