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

/** Bytes of a text from `at` to `end`: where its stack trace is. */
interface StackPlace {
  text: Uint8Array;
  at: number;
  end: number;
}

/** A text as laid out: a string, or bytes with the place of its stack trace and that stack trace's index in `stacks` (-1: kept in place). */
type LaidOutText = string | (StackPlace & { index: number });

interface PageLayout {
  texts: LaidOutText[];
  /** Distinct stack traces, each where its first text has it. */
  stacks: StackPlace[];
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
    const { texts, stacks } = layouts[p]!;
    const start = at;
    bytes[at++] = OPEN;
    texts.forEach((laid, i) => {
      if (i > 0) bytes[at++] = COMMA;
      if (typeof laid === 'string') at += bytes.write(laid, at, 'utf8');
      else if (laid.index < 0) copy(laid.text, 0, laid.text.byteLength);
      else {
        copy(laid.text, 0, laid.at);
        at = writeDigits(bytes, at, laid.index);
        copy(laid.text, laid.end, laid.text.byteLength);
      }
    });
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

/** Which of a page's texts share a stack trace (compared byte for byte), and the bytes its row takes. */
function layOut(page: PageToWrite): PageLayout {
  const stacks: StackPlace[] = [];
  // [ , … ] around the occurrences
  let bytes = 2 + Math.max(0, page.texts.length - 1);
  const texts = page.texts.map((given, i): LaidOutText => {
    if (typeof given === 'string') {
      bytes += Buffer.byteLength(given);
      return given;
    }
    const text = given instanceof Uint8Array ? given : given.json;
    const at = given instanceof Uint8Array ? 0 : given.stackAt;
    const end = given instanceof Uint8Array ? 0 : given.stackAt + given.stackBytes;
    if (end === at) {
      bytes += text.byteLength;
      return { text, at, end, index: -1 };
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
    bytes += text.byteLength - length + digitCount(index);
    return { text, at, end, index };
  });
  return { texts, stacks, bytes };
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
