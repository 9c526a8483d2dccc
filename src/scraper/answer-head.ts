import { MalformedAnswer } from './malformed-answer.js';

// The head of an HTTP/1.x answer (status line and header fields, RFC 9112) and what it says
// about the body that follows and the connection after it. Pure: the bytes come from
// target-connection.ts.

/** An answer's head may not exceed this (Node's default --max-http-header-size). */
export const MAX_HEAD_BYTES = 16 * 1024;

export interface AnswerHead {
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minorVersion: 0 | 1;
  status: number;
  statusText: string;
  /** By lower-case name; repeated fields joined with ", " (the first kept for SINGLE_VALUED). */
  headers: ReadonlyMap<string, string>;
}

/** How the body's end is known. */
export type BodyFraming = { kind: 'none' } | { kind: 'length'; bytes: number } | { kind: 'chunked' } | { kind: 'until-close' };

/** Fields whose repeats are ignored, as node:http ignores them; content-length's must agree. */
const SINGLE_VALUED = new Set(['content-length', 'content-type', 'location', 'keep-alive']);

const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: ([^\r\n]*))?$/;
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values: visible characters, spaces and tabs, and obs-text (bytes 0x80-0xFF as latin1).
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Where the head that starts at `from` ends (just past its empty line), or -1 when the bytes
 * up to `to` do not hold it whole. Lines end with CRLF or a bare LF.
 */
export function headEnd(bytes: Uint8Array, from: number, to: number): number {
  for (let at = from; at < to; at++) {
    if (bytes[at] !== 0x0a) continue;
    if (at + 1 < to && bytes[at + 1] === 0x0a) return at + 2;
    if (at + 2 < to && bytes[at + 1] === 0x0d && bytes[at + 2] === 0x0a) return at + 3;
  }
  return -1;
}

/** Parses a head (latin1 text, its empty line included or not). */
export function parseAnswerHead(text: string): AnswerHead {
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const statusLine = lines[0] ?? '';
  const status = STATUS_LINE.exec(statusLine);
  if (!status) throw new MalformedAnswer('HPE_INVALID_STATUS', `not an HTTP/1.x status line: ${JSON.stringify(statusLine.slice(0, 80))}`);
  const headers = new Map<string, string>();
  let last: string | null = null;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const where = `header line ${i}`;
    if (!FIELD_VALUE.test(line)) throw new MalformedAnswer('HPE_INVALID_HEADER_TOKEN', `control character in ${where}: ${JSON.stringify(line.slice(0, 80))}`);
    if (line.startsWith(' ') || line.startsWith('\t')) {
      // obs-fold: a continuation of the previous field's value (RFC 9112 §5.2 lets a client join it with a space).
      if (last === null) throw new MalformedAnswer('HPE_INVALID_HEADER_TOKEN', `${where} continues no header field`);
      headers.set(last, `${headers.get(last)!} ${line.trim()}`.trim());
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon);
    if (!FIELD_NAME.test(name)) throw new MalformedAnswer('HPE_INVALID_HEADER_TOKEN', `${where} is no "name: value" field: ${JSON.stringify(line.slice(0, 80))}`);
    const key = name.toLowerCase();
    const value = line.slice(colon + 1).trim();
    const before = headers.get(key);
    if (key === 'content-length' && before !== undefined && before !== value) {
      throw new MalformedAnswer('HPE_UNEXPECTED_CONTENT_LENGTH', `two different Content-Length fields: ${before} and ${value}`);
    }
    if (before === undefined) headers.set(key, value);
    else if (!SINGLE_VALUED.has(key)) headers.set(key, `${before}, ${value}`);
    last = key;
  }
  return { minorVersion: status[1] === '1' ? 1 : 0, status: Number(status[2]), statusText: status[3] ?? '', headers };
}

/** How the body of an answer to a GET ends (RFC 9112 §6.3). */
export function bodyFramingOf(head: AnswerHead): BodyFraming {
  if (head.status < 200 || head.status === 204 || head.status === 304) return { kind: 'none' };
  const encoding = head.headers.get('transfer-encoding');
  if (encoding !== undefined) return lastToken(encoding) === 'chunked' ? { kind: 'chunked' } : { kind: 'until-close' };
  const length = head.headers.get('content-length');
  if (length === undefined) return { kind: 'until-close' };
  const bytes = /^\d{1,15}$/.test(length) ? Number(length) : NaN;
  if (!Number.isSafeInteger(bytes)) throw new MalformedAnswer('HPE_INVALID_CONTENT_LENGTH', `Content-Length is no byte count: ${JSON.stringify(length.slice(0, 40))}`);
  return { kind: 'length', bytes };
}

/**
 * Whether the connection may carry the next request once this answer's body is read, and for
 * how long it may stay idle (null: until the target closes it). A Keep-Alive timeout hint is
 * cut by a second, as Node's Agent does, so that a request is not sent just as the target
 * closes the connection.
 */
export function keepAliveOf(head: AnswerHead, framing: BodyFraming): { reusable: boolean; idleMs: number | null } {
  const connection = (head.headers.get('connection') ?? '').toLowerCase().split(',').map((token) => token.trim());
  const kept = head.minorVersion === 1 ? !connection.includes('close') : connection.includes('keep-alive');
  // A body that both declares a length and is chunked was framed by its chunks: what the length meant is anyone's guess.
  const framed = framing.kind !== 'until-close' && !(framing.kind === 'chunked' && head.headers.has('content-length'));
  if (!kept || !framed) return { reusable: false, idleMs: null };
  const hint = /(?:^|,)\s*timeout\s*=\s*(\d+)/i.exec(head.headers.get('keep-alive') ?? '');
  if (!hint) return { reusable: true, idleMs: null };
  const idleMs = Number(hint[1]) * 1000 - 1000;
  return idleMs > 0 ? { reusable: true, idleMs } : { reusable: false, idleMs: null };
}

function lastToken(list: string): string {
  const tokens = list.split(',');
  return tokens[tokens.length - 1]!.trim().toLowerCase();
}
