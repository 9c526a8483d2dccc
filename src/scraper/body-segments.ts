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
  /** Byte range [start, end) of each element of the array, in order; each is an object's text. */
  segments: { start: number; end: number }[];
}

/**
 * Splits a body shaped `{ …, "aggregated_errors": [ {…}, {…} ], … }` (JSON whitespace
 * anywhere); null for anything else: the member missing or spelt twice, a top-level member
 * name with an escape (it could spell the member too), an element that is not an object,
 * text that is not JSON where the scan looks.
 */
export function splitPayloadBody(body: Buffer): PayloadBodySplit | null {
  let i = skipWhitespace(body, 0);
  if (body[i] !== OPEN_BRACE) return null;
  i = skipWhitespace(body, i + 1);
  let split: PayloadBodySplit | null = null;
  if (body[i] === CLOSE_BRACE) return null;
  for (;;) {
    if (body[i] !== QUOTE) return null;
    const nameEnd = stringEnd(body, i);
    if (nameEnd < 0) return null;
    const nameBytes = body.subarray(i, nameEnd);
    if (nameBytes.includes(BACKSLASH)) return null;
    const member = QUOTED_ERRORS_MEMBERS.findIndex((name) => name.equals(nameBytes));
    i = skipWhitespace(body, nameEnd);
    if (body[i] !== COLON) return null;
    i = skipWhitespace(body, i + 1);
    if (member >= 0) {
      // Twice (or in both spellings): which one counts is the full parse's business.
      if (split !== null) return null;
      const array = arrayOfObjects(body, i);
      if (array === null) return null;
      split = { member: ERRORS_MEMBERS[member]!, ...array };
      i = split.close + 1;
    } else {
      i = valueEnd(body, i);
      if (i < 0) return null;
    }
    i = skipWhitespace(body, i);
    if (body[i] === COMMA) {
      i = skipWhitespace(body, i + 1);
      continue;
    }
    if (body[i] !== CLOSE_BRACE) return null;
    break;
  }
  return skipWhitespace(body, i + 1) === body.length ? split : null;
}

/** The array at `open` if it holds only objects: their ranges. */
function arrayOfObjects(body: Buffer, open: number): Omit<PayloadBodySplit, 'member'> | null {
  if (body[open] !== OPEN_BRACKET) return null;
  const segments: { start: number; end: number }[] = [];
  let i = skipWhitespace(body, open + 1);
  if (body[i] === CLOSE_BRACKET) return { open, close: i, segments };
  for (;;) {
    if (body[i] !== OPEN_BRACE) return null;
    const end = containerEnd(body, i);
    if (end < 0) return null;
    segments.push({ start: i, end });
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
