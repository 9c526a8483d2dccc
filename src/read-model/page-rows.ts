import type { LoggedOccurrence } from '../events/events.js';
import { isStackTrace } from '../events/logged-snapshot.js';
import type { OccurrenceIdentity } from './occurrence-pages.js';
import type { ColumnValues } from './row-upsert.js';

// occurrence_page rows as written (entities.ts). The occurrences of one error mostly share
// their stack trace, most of each one's bytes: a page holds each distinct stack trace once, in
// `stacks`, and an occurrence whose stack trace is known (LoggedOccurrence.stackAt) holds its
// index there in place of the list, `"stacktrace":0`. Readers put the lists back
// (occurrence-pages.ts, withStacks). A page of the benchmark's occurrences is two fifths of
// what it was, and so is what SQLite writes twice (its WAL, then the database file) for it.

/**
 * What a page holds of an occurrence: its JSON text as a string or as UTF-8 bytes, or as a
 * version 2 snapshot logged it (bytes, and where in them its stack trace is).
 */
export type PageText = string | Uint8Array | Pick<LoggedOccurrence, 'json' | 'stackAt' | 'stackBytes'>;

/** A page to write: its id, its aggregate's row id, and its occurrences newest first with their texts. */
export interface PageToWrite {
  id: string;
  aggregateId: string;
  occurrences: readonly OccurrenceIdentity[];
  texts: readonly PageText[];
}

const OPEN = 0x5b; // [
const COMMA = 0x2c;
const CLOSE = 0x5d; // ]
const DIGIT_ZERO = 0x30;

/** A page's texts as laid out: each one's bytes, and the index of its stack trace in `stacks` (-1: kept in place). */
interface PageLayout {
  texts: (string | Uint8Array)[];
  stackIndex: Int32Array;
  /** Distinct stack traces: the text each is in, and where. */
  stacks: { text: Uint8Array; at: number; end: number }[];
  bytes: number;
}

// Buffer's methods on any Uint8Array (a view of a log message), with no Buffer made for it.
const compareBytes = Buffer.prototype.compare;

/**
 * The rows of pages, their `occurrences` and `stacks` UTF-8 bytes (RowInserts.utf8Columns)
 * laid out in one buffer of their own (not zeroed first: every byte is written), returned to
 * be moved with the plan rather than copied (RowWrites.adopt).
 */
export function pageRows(pages: readonly PageToWrite[]): { rows: ColumnValues[]; buffer: ArrayBuffer | null } {
  if (pages.length === 0) return { rows: [], buffer: null };
  const layouts = pages.map(layOut);
  let total = 0;
  for (const layout of layouts) total += layout.bytes;
  const bytes = Buffer.allocUnsafeSlow(total);
  let at = 0;
  const copy = (text: Uint8Array, from: number, to: number): void => {
    bytes.set(from === 0 && to === text.byteLength ? text : new Uint8Array(text.buffer, text.byteOffset + from, to - from), at);
    at += to - from;
  };
  const rows = pages.map((page, p): ColumnValues => {
    if (page.occurrences.length === 0) throw new Error(`page ${page.id} of aggregate ${page.aggregateId} has no occurrence`);
    const { texts, stackIndex, stacks } = layouts[p]!;
    const start = at;
    bytes[at++] = OPEN;
    for (let i = 0; i < texts.length; i++) {
      if (i > 0) bytes[at++] = COMMA;
      const text = texts[i]!;
      const index = stackIndex[i]!;
      if (typeof text === 'string') at += bytes.write(text, at, 'utf8');
      else if (index < 0) copy(text, 0, text.byteLength);
      else {
        const { at: stackAt, end: stackEnd } = stackOf(page.texts[i]!);
        copy(text, 0, stackAt);
        at = writeDigits(bytes, at, index);
        copy(text, stackEnd, text.byteLength);
      }
    }
    bytes[at++] = CLOSE;
    const occurrences = new Uint8Array(bytes.buffer, start, at - start);
    let stacksColumn: Uint8Array | null = null;
    if (stacks.length > 0) {
      const stacksStart = at;
      bytes[at++] = OPEN;
      stacks.forEach((stack, i) => {
        if (i > 0) bytes[at++] = COMMA;
        copy(stack.text, stack.at, stack.end);
      });
      bytes[at++] = CLOSE;
      stacksColumn = new Uint8Array(bytes.buffer, stacksStart, at - stacksStart);
    }
    return {
      id: page.id,
      aggregate_id: page.aggregateId,
      newest: page.occurrences[0]!.timestamp,
      identities: JSON.stringify(page.occurrences.map((o) => [o.uuid, o.timestamp])),
      occurrences,
      stacks: stacksColumn,
    };
  });
  return { rows, buffer: bytes.buffer };
}

/** Where a text's stack trace is (end 0: not known). */
function stackOf(text: PageText): { at: number; end: number } {
  if (typeof text === 'string' || text instanceof Uint8Array || text.stackBytes === 0) return { at: 0, end: 0 };
  return { at: text.stackAt, end: text.stackAt + text.stackBytes };
}

/** Which of a page's texts share a stack trace (compared byte for byte), and the bytes its row takes. */
function layOut(page: PageToWrite): PageLayout {
  const texts: (string | Uint8Array)[] = [];
  const stackIndex = new Int32Array(page.texts.length).fill(-1);
  const stacks: PageLayout['stacks'] = [];
  // [ , … ] around the occurrences
  let bytes = 2 + Math.max(0, page.texts.length - 1);
  page.texts.forEach((given, i) => {
    if (typeof given === 'string') {
      texts.push(given);
      bytes += Buffer.byteLength(given);
      return;
    }
    const text = given instanceof Uint8Array ? given : given.json;
    texts.push(text);
    const { at, end } = stackOf(given);
    if (end === 0) {
      bytes += text.byteLength;
      return;
    }
    if (!isStackTrace(text, at, end)) {
      throw new Error(`page ${page.id} of aggregate ${page.aggregateId}: occurrence ${page.occurrences[i]!.uuid}'s text has no "stacktrace" list at bytes ${at} to ${end}`);
    }
    const length = end - at;
    let index = stacks.findIndex((s) => s.end - s.at === length && compareBytes.call(text, s.text, s.at, s.end, at, end) === 0);
    if (index < 0) {
      index = stacks.length;
      stacks.push({ text, at, end });
      // the list once in `stacks`, with its comma or its [ ]
      bytes += length + (index === 0 ? 2 : 1);
    }
    stackIndex[i] = index;
    bytes += text.byteLength - length + digitCount(index);
  });
  return { texts, stackIndex, stacks, bytes };
}
function digitCount(n: number): number {
  let digits = 1;
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  return digits;
}

function writeDigits(bytes: Buffer, at: number, n: number): number {
  const digits = digitCount(n);
  for (let i = digits - 1, rest = n; i >= 0; i--, rest = Math.floor(rest / 10)) bytes[at + i] = DIGIT_ZERO + (rest % 10);
  return at + digits;
}
