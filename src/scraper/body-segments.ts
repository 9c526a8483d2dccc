// Where each aggregated error sits in a scraped body, found without parsing it. A scrape
// usually changes a few of a target's keys; the scraper hashes each key's bytes and parses
// only those it has not seen, instead of all of a 1 MB body. The scan only finds boundaries
// (strings, brackets, the top-level members); validity is still JSON.parse's: the skeleton
// and every element whose bytes are new are parsed, and an element whose bytes are the same
// as one parsed before is as valid as it was then. Any shape this scan does not expect gives
// null, and the caller parses the whole body as before.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** The member holding the aggregated errors, in both spellings parseScrapedPayload reads. */
const ERRORS_MEMBERS = ['aggregated_errors', 'aggregatedErrors'] as const;
const QUOTED_ERRORS_MEMBERS = ERRORS_MEMBERS.map((name) => Buffer.from(`"${name}"`));

export interface PayloadBodySplit {
  /** The spelling of the member holding the array. */
  member: (typeof ERRORS_MEMBERS)[number];
  /** Offset of the `[` opening the aggregated errors' array. */
  open: number;
  /** Offset of the `]` closing it. */
  close: number;
  /**
   * Byte range [start, end) of each element of the array, in order; each is an object's text.
   * Found by the elements' key member (arrayOfKeyedObjects), a range can be off where objects
   * of that shape sit inside elements: it is then no single JSON value, and parsing it fails.
   */
  segments: { start: number; end: number; head: string | null }[];
}

/**
 * Splits a body shaped `{ …, "aggregated_errors": [ {…}, {…} ], … }` (JSON whitespace
 * anywhere); null for anything else: the member missing or spelt twice, a top-level member
 * name with an escape (it could spell the member too), an element that is not an object,
 * text that is not JSON where the scan looks.
 */
export function splitPayloadBody(body: Buffer, recordedLengths?: RecordedLengths): PayloadBodySplit | null {
  let split: PayloadBodySplit | null = null;
  const end = objectMembers(body, skipWhitespace(body, 0), (name, value) => {
    const member = QUOTED_ERRORS_MEMBERS.findIndex((quoted) => quoted.equals(name));
    if (member < 0) return valueEnd(body, value);
    // Twice (or in both spellings): which one counts is the full parse's business.
    if (split !== null) return -1;
    const array = arrayOfObjects(body, value, recordedLengths);
    if (array === null) return -1;
    split = { member: ERRORS_MEMBERS[member]!, ...array };
    return array.close + 1;
  });
  return end !== null && skipWhitespace(body, end) === body.length ? split : null;
}

/** The array at `open` if it holds only objects: their ranges. */
function arrayOfObjects(body: Buffer, open: number, recordedLengths: RecordedLengths | undefined): Omit<PayloadBodySplit, 'member'> | null {
  if (body[open] !== OPEN_BRACKET) return null;
  return arrayOfKeyedObjects(body, open, recordedLengths) ?? arrayOfObjectsScanned(body, open);
}

const KEY_MEMBER = Buffer.from('"aggregation_key"');

/**
 * The array's elements found where their aggregation_key member starts, as every periskop
 * client writes it first, without a walk through every byte of every element's occurrences:
 * an element whose head (elementHead) was recorded with a length is checked to end there
 * (a `}`, then the next element's key member or the `]`); any other ends before the next
 * `{"aggregation_key"` that Buffer.indexOf finds after `},`. In JSON that text can only open
 * an object (inside a string its quotes are escaped). An object of that shape nested in an
 * element, or an element of another shape, leaves a range that is no single JSON value
 * (which the parse then rejects) or breaks the shape: null, and the full scan decides.
 */
function arrayOfKeyedObjects(body: Buffer, open: number, recordedLengths: RecordedLengths | undefined): Omit<PayloadBodySplit, 'member'> | null {
  const segments: PayloadBodySplit['segments'] = [];
  let start = skipWhitespace(body, open + 1);
  if (!opensKeyedObject(body, start)) return null;
  for (;;) {
    const head = elementHead(body, start);
    const recorded = head === null ? undefined : recordedLengths?.get(head);
    let end = recorded !== undefined && endsAt(body, start + recorded) ? start + recorded : nextKeyedBoundary(body, start);
    if (end < 0) {
      // The last element: walked through.
      end = containerEnd(body, start);
      if (end < 0) return null;
    }
    segments.push({ start, end, head });
    const next = skipWhitespace(body, end);
    if (body[next] === CLOSE_BRACKET) return { open, close: next, segments };
    if (body[next] !== COMMA) return null;
    start = skipWhitespace(body, next + 1);
    if (!opensKeyedObject(body, start)) return null;
  }
}

/** Whether an object whose first member is aggregation_key starts at `i`. */
function opensKeyedObject(body: Buffer, i: number): boolean {
  if (body[i] !== OPEN_BRACE) return false;
  const at = skipWhitespace(body, i + 1);
  return body.subarray(at, at + KEY_MEMBER.length).equals(KEY_MEMBER);
}

/** Whether an element can end just before `end`: a `}`, then (whitespace aside) a `,` and another keyed object, or the `]`. */
function endsAt(body: Buffer, end: number): boolean {
  if (body[end - 1] !== CLOSE_BRACE) return false;
  const next = skipWhitespace(body, end);
  return body[next] === CLOSE_BRACKET || (body[next] === COMMA && opensKeyedObject(body, skipWhitespace(body, next + 1)));
}

/** The end of the element at `start` by the next `},{"aggregation_key"` (whitespace aside) after it; -1 if there is none. */
function nextKeyedBoundary(body: Buffer, start: number): number {
  for (let at = body.indexOf(KEY_MEMBER, start + 1); at >= 0; at = body.indexOf(KEY_MEMBER, at + KEY_MEMBER.length)) {
    const brace = whitespaceBefore(body, at);
    if (body[brace] !== OPEN_BRACE) continue;
    const comma = whitespaceBefore(body, brace);
    const closing = whitespaceBefore(body, comma);
    if (body[comma] === COMMA && body[closing] === CLOSE_BRACE && closing > start) return closing + 1;
  }
  return -1;
}

/** Offset of the last byte before `i` that is not whitespace (-1 if none). */
function whitespaceBefore(body: Buffer, i: number): number {
  let j = i - 1;
  while (j >= 0 && isWhitespace(body[j]!)) j--;
  return j;
}

/** The array at `open` (a `[`) if it holds only objects, by a walk through all of it. */
function arrayOfObjectsScanned(body: Buffer, open: number): Omit<PayloadBodySplit, 'member'> | null {
  const segments: PayloadBodySplit['segments'] = [];
  let i = skipWhitespace(body, open + 1);
  if (body[i] === CLOSE_BRACKET) return { open, close: i, segments };
  for (;;) {
    if (body[i] !== OPEN_BRACE) return null;
    const end = containerEnd(body, i);
    if (end < 0) return null;
    segments.push({ start: i, end, head: elementHead(body, i) });
    i = skipWhitespace(body, end);
    if (body[i] === COMMA) {
      i = skipWhitespace(body, i + 1);
      continue;
    }
    return body[i] === CLOSE_BRACKET ? { open, close: i, segments } : null;
  }
}

/** Offset just past the value starting at `i`, or -1. */
function valueEnd(body: Buffer, i: number): number {
  const c = body[i];
  if (c === QUOTE) return stringEnd(body, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) return containerEnd(body, i);
  // A number or a literal: up to the next delimiter (JSON.parse of the skeleton checks it).
  let j = i;
  while (j < body.length && !isDelimiter(body[j]!)) j++;
  return j > i ? j : -1;
}

/** Offset just past the object or array starting at `i` (brackets inside strings skipped), or -1. */
function containerEnd(body: Buffer, i: number): number {
  let depth = 0;
  for (let j = i; j < body.length; ) {
    const c = body[j]!;
    if (c === QUOTE) {
      j = stringEnd(body, j);
      if (j < 0) return -1;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return j + 1;
    }
    j++;
  }
  return -1;
}

/**
 * Offset just past the string whose opening quote is at `i`, or -1. Its closing quote is the
 * first one after an even number of backslashes; indexOf finds quotes at memchr speed, and
 * each backslash run is counted once.
 */
function stringEnd(body: Buffer, i: number): number {
  for (let from = i + 1; ; ) {
    const quote = body.indexOf(QUOTE, from);
    if (quote < 0) return -1;
    let backslashes = 0;
    for (let k = quote - 1; k > i && body[k] === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

function skipWhitespace(body: Buffer, i: number): number {
  while (i < body.length && isWhitespace(body[i]!)) i++;
  return i;
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isDelimiter(c: number): boolean {
  return c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isWhitespace(c);
}

const TOTAL_MEMBER = Buffer.from('"total_count"');

/**
 * An aggregated error's total_count and aggregation_key (as written), when it begins with
 * those two members, as every periskop client writes it; null for any other shape.
 * A client changes an aggregated error's bytes only when it counts a new occurrence of it, so
 * within one run of a target (one target_uuid) the head and the length name one version of it
 * (elementIdentity): its bytes need not be read.
 */
export function elementHead(body: Buffer, start: number): string | null {
  let i = skipWhitespace(body, start + 1);
  if (!body.subarray(i, i + KEY_MEMBER.length).equals(KEY_MEMBER)) return null;
  i = skipWhitespace(body, i + KEY_MEMBER.length);
  if (body[i] !== COLON) return null;
  const keyStart = skipWhitespace(body, i + 1);
  if (body[keyStart] !== QUOTE) return null;
  const keyEnd = stringEnd(body, keyStart);
  if (keyEnd < 0) return null;
  i = skipWhitespace(body, keyEnd);
  if (body[i] !== COMMA) return null;
  i = skipWhitespace(body, i + 1);
  if (!body.subarray(i, i + TOTAL_MEMBER.length).equals(TOTAL_MEMBER)) return null;
  i = skipWhitespace(body, i + TOTAL_MEMBER.length);
  if (body[i] !== COLON) return null;
  const totalStart = skipWhitespace(body, i + 1);
  let totalEnd = totalStart;
  while (totalEnd < body.length && body[totalEnd]! >= 0x30 && body[totalEnd]! <= 0x39) totalEnd++;
  // Digits only, then a delimiter: a sign, a fraction or an exponent is the parser's business.
  if (totalEnd === totalStart || totalEnd - totalStart > 15 || !isDelimiter(body[totalEnd] ?? 0)) return null;
  return `${body.toString('latin1', totalStart, totalEnd)}:${body.toString('utf8', keyStart, keyEnd)}`;
}

const IDENTITY = 'id:';

/** An element's identity, `id:<length>:<head>` (elementHead), as its digest (segmented-parse's splitDigests). */
export function elementIdentity(length: number, head: string): string {
  return `${IDENTITY}${length}:${head}`;
}

/** The length recorded for each element head (from elementIdentity's), a hint for splitPayloadBody. */
export type RecordedLengths = ReadonlyMap<string, number>;

/** The lengths in `digests` that are identities (elementIdentity's), by head; other digests are skipped. */
export function recordedLengths(digests: Iterable<string>): RecordedLengths {
  const lengths = new Map<string, number>();
  for (const digest of digests) {
    const identity = parseElementIdentity(digest);
    if (identity) lengths.set(identity.head, identity.length);
  }
  return lengths;
}

/** The length and head of an identity (elementIdentity's); null for any other digest. */
export function parseElementIdentity(digest: string): { length: number; head: string } | null {
  if (!digest.startsWith(IDENTITY)) return null;
  const colon = digest.indexOf(':', IDENTITY.length);
  const length = Number(digest.slice(IDENTITY.length, colon));
  return colon > IDENTITY.length && Number.isSafeInteger(length) ? { length, head: digest.slice(colon + 1) } : null;
}

/** One of an aggregated error's latest occurrences: its byte range and its uuid's JSON text (null when it has no string uuid). */
export interface OccurrenceRange {
  start: number;
  end: number;
  uuid: string | null;
}

/** The members holding the latest occurrences, in both spellings parseScrapedPayload reads. */
const LATEST_MEMBERS = ['latest_errors', 'latestErrors'] as const;
const QUOTED_LATEST_MEMBERS = LATEST_MEMBERS.map((name) => Buffer.from(`"${name}"`));
const UUID_MEMBER = Buffer.from('"uuid"');

/**
 * Where the latest occurrences of the aggregated error at `start` sit: the array's `[` and
 * `]`, the member's spelling and each occurrence's range and uuid, found in one walk through
 * the element; null for any other shape (no such array or two, an occurrence that is not an
 * object, a member name with an escape): the caller parses the whole element then.
 */
export function latestOccurrences(body: Buffer, start: number): { member: (typeof LATEST_MEMBERS)[number]; open: number; close: number; occurrences: OccurrenceRange[] } | null {
  let found: { member: (typeof LATEST_MEMBERS)[number]; open: number; close: number; occurrences: OccurrenceRange[] } | null = null;
  let twice = false;
  const element = objectMembers(body, start, (name, value) => {
    const member = QUOTED_LATEST_MEMBERS.findIndex((quoted) => quoted.equals(name));
    if (member < 0) return valueEnd(body, value);
    twice ||= found !== null;
    const array = occurrenceRanges(body, value);
    if (array === null) return -1;
    found = { member: LATEST_MEMBERS[member]!, ...array };
    return array.close + 1;
  });
  return element === null || twice ? null : found;
}

function occurrenceRanges(body: Buffer, open: number): { open: number; close: number; occurrences: OccurrenceRange[] } | null {
  if (body[open] !== OPEN_BRACKET) return null;
  const occurrences: OccurrenceRange[] = [];
  let i = skipWhitespace(body, open + 1);
  if (body[i] === CLOSE_BRACKET) return { open, close: i, occurrences };
  for (;;) {
    let uuid: string | null = null;
    const end = objectMembers(body, i, (name, value) => {
      const valueEnds = valueEnd(body, value);
      // The last one, as JSON.parse keeps the last of a duplicated member.
      if (name.equals(UUID_MEMBER)) uuid = body[value] === QUOTE && valueEnds > 0 ? body.toString('utf8', value, valueEnds) : null;
      return valueEnds;
    });
    if (end === null) return null;
    occurrences.push({ start: i, end, uuid });
    i = skipWhitespace(body, end);
    if (body[i] === COMMA) {
      i = skipWhitespace(body, i + 1);
      continue;
    }
    return body[i] === CLOSE_BRACKET ? { open, close: i, occurrences } : null;
  }
}

/**
 * Walks the members of the object at `start`, `valueEndOf` telling where each value ends
 * (-1: not JSON); the offset just past the object, or null when it is no object, text the walk
 * does not expect, or a member name with an escape.
 */
function objectMembers(body: Buffer, start: number, valueEndOf: (name: Buffer, value: number) => number): number | null {
  if (body[start] !== OPEN_BRACE) return null;
  let i = skipWhitespace(body, start + 1);
  if (body[i] === CLOSE_BRACE) return i + 1;
  for (;;) {
    if (body[i] !== QUOTE) return null;
    const nameEnd = stringEnd(body, i);
    if (nameEnd < 0) return null;
    const name = body.subarray(i, nameEnd);
    if (name.includes(BACKSLASH)) return null;
    i = skipWhitespace(body, nameEnd);
    if (body[i] !== COLON) return null;
    const end = valueEndOf(name, skipWhitespace(body, i + 1));
    if (end < 0) return null;
    i = skipWhitespace(body, end);
    if (body[i] === COMMA) {
      i = skipWhitespace(body, i + 1);
      continue;
    }
    return body[i] === CLOSE_BRACE ? i + 1 : null;
  }
}
