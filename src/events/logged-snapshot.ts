import type { LoggedOccurrence, PeriskopEvent, SnapshotScraped, SnapshotScrapedV2 } from './events.js';
import type { ErrorOccurrence } from '../scraper/payload.types.js';

// SnapshotScraped as the log holds it since version 2 (events.ts): the event's JSON envelope,
// a newline, then the occurrences' JSON texts back to back, in the order the envelope lists
// them; in the envelope each occurrence is its uuid, its timestamp, how many bytes of what
// follows are its text, and where in its text its error's stack trace is (stack_at,
// stack_bytes: the JSON array of error.stacktrace; absent when not known):
//
//   {"type":"SnapshotScraped","version":2,…,"latest_errors":[{"uuid":"…","timestamp":…,"bytes":2417,"stack_at":58,"stack_bytes":1530},…]…}\n{"error":…}{"error":…}
//
// A reader parses the envelope alone and takes each occurrence's bytes as a view of the
// message. Every other message (version 1, the other events, a chunked event's envelope) is
// one JSON document, and never starts as a version 2 snapshot does.

/** How every version 2 snapshot starts (JSON.stringify of the envelope's fixed field order). */
const VERSION_2_START = Buffer.from('{"type":"SnapshotScraped","version":2,');
const NEWLINE = 0x0a;
const STACK_KEY = Buffer.from('"stacktrace":');
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** An occurrence in a version 2 envelope, before its bytes are attached. */
interface OccurrenceHead {
  uuid: string;
  timestamp: number;
  bytes: number;
  stack_at?: number;
  stack_bytes?: number;
}

/** The log bytes of a snapshot: version 2, from either version. */
export function encodeSnapshot(event: SnapshotScraped): Buffer {
  const texts: (string | Uint8Array)[] = [];
  let trailerBytes = 0;
  const head = (occurrence: ErrorOccurrence | LoggedOccurrence): OccurrenceHead => {
    if (isLogged(occurrence)) {
      texts.push(occurrence.json);
      trailerBytes += occurrence.json.byteLength;
      return occurrenceHead(occurrence, occurrence.json.byteLength, occurrence.stackAt, occurrence.stackBytes);
    }
    const [before, stack, after] = aroundStack(occurrence) ?? [JSON.stringify(occurrence), '', ''];
    const stackAt = Buffer.byteLength(before);
    const stackBytes = Buffer.byteLength(stack);
    const bytes = stackAt + stackBytes + Buffer.byteLength(after);
    texts.push(before, stack, after);
    trailerBytes += bytes;
    return occurrenceHead(occurrence, bytes, stackAt, stackBytes);
  };
  const aggregated_errors = event.data.aggregated_errors.map((error) => ({
    ...error,
    latest_errors: (error.latest_errors as (ErrorOccurrence | LoggedOccurrence)[]).map(head),
  }));
  const { type, service, at, data } = event;
  const envelope = JSON.stringify({ type, version: 2, service, at, data: { ...data, aggregated_errors } });
  const out = Buffer.allocUnsafe(Buffer.byteLength(envelope) + 1 + trailerBytes);
  let offset = out.write(envelope, 0, 'utf8');
  out[offset++] = NEWLINE;
  for (const text of texts) {
    if (typeof text === 'string') offset += out.write(text, offset, 'utf8');
    else {
      out.set(text, offset);
      offset += text.byteLength;
    }
  }
  return out;
}

/** An occurrence as its envelope lists it; without a stack trace range when none is known. */
function occurrenceHead({ uuid, timestamp }: Pick<OccurrenceHead, 'uuid' | 'timestamp'>, bytes: number, stackAt: number, stackBytes: number): OccurrenceHead {
  return stackBytes > 0 ? { uuid, timestamp, bytes, stack_at: stackAt, stack_bytes: stackBytes } : { uuid, timestamp, bytes };
}

const STACK_MARK = '"stacktrace":0';

/**
 * An occurrence's JSON text in three parts: before its error's stack trace, the stack trace's
 * JSON array, after it (JSON.stringify's text, with the same key order); null when it has
 * no stack trace list to point at.
 */
function aroundStack(occurrence: ErrorOccurrence): [string, string, string] | null {
  const { error } = occurrence;
  if (!error || !Array.isArray(error.stacktrace)) return null;
  // The error's stack trace as a number, which nowhere else follows a "stacktrace" key (they
  // are lists; a string's quotes are escaped), marks where its JSON goes.
  const shell = JSON.stringify({ ...occurrence, error: { ...error, stacktrace: 0 } });
  const at = shell.indexOf(STACK_MARK);
  if (at < 0 || shell.lastIndexOf(STACK_MARK) !== at) return null;
  const cut = at + STACK_MARK.length - 1;
  return [shell.slice(0, cut), JSON.stringify(error.stacktrace), shell.slice(cut + 1)];
}

/**
 * A message's envelope, and for a version 2 snapshot the bytes after it (its occurrences'
 * texts); `trailer` is null for every other message, and for a version 2 one cut short.
 */
export function splitMessage(data: Uint8Array): { envelope: Uint8Array; trailer: Uint8Array | null } {
  if (!startsVersion2(data)) return { envelope: data, trailer: null };
  const newline = data.indexOf(NEWLINE, VERSION_2_START.byteLength);
  if (newline < 0) return { envelope: data, trailer: null };
  return {
    envelope: new Uint8Array(data.buffer, data.byteOffset, newline),
    trailer: new Uint8Array(data.buffer, data.byteOffset + newline + 1, data.byteLength - newline - 1),
  };
}

function startsVersion2(data: Uint8Array): boolean {
  if (data.byteLength < VERSION_2_START.byteLength) return false;
  for (let i = 0; i < VERSION_2_START.byteLength; i++) if (data[i] !== VERSION_2_START[i]) return false;
  return true;
}

/**
 * Gives each occurrence of a parsed version 2 envelope its bytes from `trailer` (in place: the
 * envelope was just parsed and is the event from here on). Returns what is wrong, if anything.
 */
export function attachOccurrences(data: Record<string, unknown>, trailer: Uint8Array | null): string | null {
  if (trailer === null) return 'no occurrence bytes follow the envelope';
  const errors = data['aggregated_errors'];
  if (!Array.isArray(errors)) return 'data.aggregated_errors is not a list';
  let offset = 0;
  for (let e = 0; e < errors.length; e++) {
    const occurrences = (errors[e] as { latest_errors?: unknown } | null)?.latest_errors;
    if (!Array.isArray(occurrences)) return `data.aggregated_errors[${e}].latest_errors is not a list`;
    for (let o = 0; o < occurrences.length; o++) {
      const { uuid, timestamp, bytes, stack_at: stackAt = 0, stack_bytes: stackBytes = 0 } = (occurrences[o] ?? {}) as Partial<OccurrenceHead>;
      if (typeof uuid !== 'string' || typeof timestamp !== 'number' || !Number.isSafeInteger(bytes) || bytes! < 0) {
        return `data.aggregated_errors[${e}].latest_errors[${o}] is not {uuid, timestamp, bytes}`;
      }
      if (offset + bytes! > trailer.byteLength) {
        return `data.aggregated_errors[${e}].latest_errors[${o}] ends at byte ${offset + bytes!} of the occurrences, ${trailer.byteLength} follow the envelope`;
      }
      const json = new Uint8Array(trailer.buffer, trailer.byteOffset + offset, bytes);
      const wrongStack = stackProblem(json, stackAt, stackBytes);
      if (wrongStack) return `data.aggregated_errors[${e}].latest_errors[${o}]: ${wrongStack}`;
      const occurrence: LoggedOccurrence = { uuid, timestamp, json, stackAt, stackBytes };
      occurrences[o] = occurrence;
      offset += bytes!;
    }
  }
  if (offset !== trailer.byteLength) return `the occurrences' texts take ${offset} bytes, ${trailer.byteLength} follow the envelope`;
  return null;
}

/**
 * What is wrong with an occurrence's stack trace range, if anything: it must lie within its
 * text. Its bytes are not read here (a miss in the CPU's cache per occurrence, when decoding
 * does not otherwise read the texts): pages check them as they copy them (page-rows.ts).
 */
function stackProblem(json: Uint8Array, at: unknown, bytes: unknown): string | null {
  if (!Number.isSafeInteger(at) || !Number.isSafeInteger(bytes) || (at as number) < 0 || (bytes as number) < 0) {
    return `stack_at ${String(at)} and stack_bytes ${String(bytes)} are not byte counts`;
  }
  const end = (at as number) + (bytes as number);
  if (end > json.byteLength) return `its stack trace ends at byte ${end}, its text has ${json.byteLength}`;
  return null;
}

/** Whether the bytes of `json` from `at` to `end` are a list after a `"stacktrace":` key. */
export function isStackTrace(json: Uint8Array, at: number, end: number): boolean {
  const from = at - STACK_KEY.byteLength;
  if (from < 0 || json[at] !== OPEN_BRACKET || json[end - 1] !== CLOSE_BRACKET) return false;
  for (let i = 0; i < STACK_KEY.byteLength; i++) if (json[from + i] !== STACK_KEY[i]) return false;
  return true;
}

/** Whether an occurrence came from a version 2 snapshot (its text as bytes) rather than as an object. */
export function isLogged(occurrence: object): occurrence is LoggedOccurrence {
  return (occurrence as Partial<LoggedOccurrence>).json instanceof Uint8Array;
}

/** The snapshot as a reader gets it back from the log (version 2); other events as they are. */
export function loggedEvent(event: PeriskopEvent): PeriskopEvent {
  if (event.type !== 'SnapshotScraped') return event;
  const { envelope, trailer } = splitMessage(encodeSnapshot(event));
  const decoded = JSON.parse(Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength).toString('utf8')) as SnapshotScrapedV2;
  const problem = attachOccurrences(decoded.data, trailer);
  if (problem) throw new Error(problem);
  return decoded;
}
