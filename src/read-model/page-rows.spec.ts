import type { LoggedOccurrence } from '../events/events.js';
import { loggedEvent } from '../events/logged-snapshot.js';
import type { ErrorOccurrence } from '../scraper/payload.types.js';
import { withStacks } from './occurrence-pages.js';
import { pageRows, type PageText, type PageToWrite } from './page-rows.js';

const T0 = 1_700_000_000_000;

function occurrence(uuid: string, stacktrace: string[], message = 'm'): ErrorOccurrence {
  return {
    error: { class: 'E', message, stacktrace, cause: { class: 'C', message: 'inner', stacktrace: ['at cause'], cause: null } },
    uuid,
    timestamp: T0,
    severity: 'error',
    http_context: null,
  };
}

/** The occurrences as a version 2 snapshot in the log carries them (bytes, and where each one's stack trace is). */
function logged(occurrences: ErrorOccurrence[]): LoggedOccurrence[] {
  const event = loggedEvent({
    type: 'SnapshotScraped',
    version: 1,
    service: 's',
    at: T0,
    data: { target: 't', target_uuid: 't', source: 'scrape', aggregated_errors: [{ aggregation_key: 'k', total_count: 1, severity: 'error', created_at: null, latest_errors: occurrences }] },
  });
  if (event.type !== 'SnapshotScraped' || event.version !== 2) throw new Error('not logged as version 2');
  return event.data.aggregated_errors[0]!.latest_errors;
}

const text = (bytes: unknown): string => Buffer.from(bytes as Uint8Array).toString('utf8');

function page(texts: PageText[]): PageToWrite {
  return { id: 'p', aggregateId: 'a', occurrences: texts.map((_, i) => ({ uuid: `u${i}`, timestamp: T0 - i })), texts };
}

/** A page's row read back as the API reads it. */
function readBack(row: Record<string, unknown>): ErrorOccurrence[] {
  const occurrences = JSON.parse(text(row.occurrences)) as ErrorOccurrence[];
  if (row.stacks !== null) withStacks(occurrences, JSON.parse(text(row.stacks)) as unknown[], 'page p');
  return occurrences;
}

const A = ['at a (/srv/ü.ts:1:1)', 'at "quoted" [as x]'];
const B = ['at b'];

describe('pageRows', () => {
  it.each([
    ['one stack trace shared by all', [A, A, A], [A]],
    ['two, in the order first met', [B, A, B, A], [B, A]],
    ['an empty one among them', [[], A, []], [[], A]],
    ['every one different, past ten', Array.from({ length: 12 }, (_, i) => [`at f${i}`]), Array.from({ length: 12 }, (_, i) => [`at f${i}`])],
  ])('holds each distinct stack trace once: %s', (_what, stacks, distinct) => {
    const originals = stacks.map((stack, i) => occurrence(`u${i}`, stack, `message ${i}`));
    const { rows } = pageRows([page(logged(originals))]);
    expect(JSON.parse(text(rows[0]!.stacks))).toEqual(distinct);
    expect(readBack(rows[0]!)).toEqual(originals);
    // The cause keeps its own list: only the error's is held apart.
    expect(text(rows[0]!.occurrences)).toContain('"stacktrace":["at cause"]');
  });

  it('keeps texts without a known stack trace as they are, beside logged ones, and no stacks when none is known', () => {
    const [first] = logged([occurrence('u0', A)]);
    const asString = occurrence('u1', B, 'a string');
    const asBytes = occurrence('u2', A, 'bytes with no place');
    const { rows } = pageRows([
      page([first!, JSON.stringify(asString), Buffer.from(JSON.stringify(asBytes))]),
      page([JSON.stringify(asString)]),
    ]);
    expect(readBack(rows[0]!)).toEqual([occurrence('u0', A), asString, asBytes]);
    expect(JSON.parse(text(rows[0]!.stacks))).toEqual([A]);
    expect(rows[1]!.stacks).toBeNull();
    expect(readBack(rows[1]!)).toEqual([asString]);
  });

  it('lays every page out in one buffer, each byte written', () => {
    const { rows, buffer } = pageRows([page(logged([occurrence('u0', A), occurrence('u1', A)])), page(logged([occurrence('u2', B)]))]);
    const written = rows.flatMap((r) => [r.occurrences, r.stacks] as Uint8Array[]);
    expect(written.every((view) => view.buffer === buffer)).toBe(true);
    expect(written.reduce((sum, view) => sum + view.byteLength, 0)).toBe(buffer!.byteLength);
  });

  it('names an occurrence whose stack trace range holds something else', () => {
    const [first] = logged([occurrence('u0', A)]);
    const shifted = { ...first!, stackAt: first!.stackAt - 1 };
    expect(() => pageRows([page([shifted])])).toThrow(`page p of aggregate a: occurrence u0's text has no "stacktrace" list at bytes ${shifted.stackAt} to ${shifted.stackAt + shifted.stackBytes}`);
  });

  it('names a page without occurrences', () => {
    expect(() => pageRows([{ id: 'p', aggregateId: 'a', occurrences: [], texts: [] }])).toThrow('page p of aggregate a has no occurrence');
  });
});

describe('withStacks', () => {
  it('names an occurrence that refers to a stack trace the page does not have', () => {
    const occurrences = [{ ...occurrence('u', []), error: { class: 'E', message: '', stacktrace: 2, cause: null } }] as unknown as ErrorOccurrence[];
    expect(() => withStacks(occurrences, [[]], 'occurrence_page p of aggregate a')).toThrow('occurrence_page p of aggregate a: occurrence 0 refers to stack trace 2, the page has 1');
  });
});
