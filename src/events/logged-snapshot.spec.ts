import type { LoggedOccurrence, SnapshotScrapedV1, SnapshotScrapedV2 } from './events.js';
import type { ErrorOccurrence } from '../scraper/payload.types.js';
import { attachOccurrences, encodeSnapshot, isLogged, loggedEvent, splitMessage } from './logged-snapshot.js';

const AT = 1_700_000_000_000;

function occurrence(uuid: string, message: string): ErrorOccurrence {
  return {
    error: { class: 'E', message, stacktrace: ['at a', 'at b'], cause: null },
    uuid,
    timestamp: AT + uuid.length,
    severity: 'error',
    http_context: { request_method: 'GET', request_url: 'http://x/', request_headers: { 'x-line': 'a\nb' }, request_body: null },
  };
}

function snapshot(...latest: ErrorOccurrence[][]): SnapshotScrapedV1 {
  return {
    type: 'SnapshotScraped',
    version: 1,
    service: 'svc\n"quoted"',
    at: AT,
    data: {
      target: 'http://t/errors',
      target_uuid: 't',
      source: 'scrape',
      aggregated_errors: latest.map((latest_errors, i) => ({ aggregation_key: `k${i}`, total_count: 3, severity: 'error', created_at: null, latest_errors })),
    },
  };
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

/** Decodes a message as the event store does (envelope parsed, occurrences attached). */
function decode(data: Uint8Array): { event: SnapshotScrapedV2; problem: string | null } {
  const { envelope, trailer } = splitMessage(data);
  const event = JSON.parse(text(envelope)) as SnapshotScrapedV2;
  return { event, problem: attachOccurrences(event.data, trailer) };
}

describe('SnapshotScraped version 2 in the log', () => {
  it('carries each occurrence as the JSON text version 1 would, after the envelope, in order', () => {
    const first = [occurrence('u-1', 'ünïcödé ✓ 🚀'), occurrence('u-22', 'plain')];
    const second = [occurrence('u-333', '"quotes" and \\ backslashes')];
    const data = encodeSnapshot(snapshot(first, [], second));
    const { event, problem } = decode(data);
    expect(problem).toBeNull();
    expect(event.version).toBe(2);
    const [a, empty, b] = event.data.aggregated_errors;
    expect(empty!.latest_errors).toEqual([]);
    expect([...a!.latest_errors, ...b!.latest_errors].map((o) => [o.uuid, o.timestamp, JSON.parse(text(o.json))])).toEqual(
      [...first, ...second].map((o) => [o.uuid, o.timestamp, o]),
    );
  });

  it('keeps the texts as views of the message: nothing is copied when decoding', () => {
    const data = encodeSnapshot(snapshot([occurrence('u-1', 'x')]));
    const [logged] = decode(data).event.data.aggregated_errors[0]!.latest_errors;
    expect(logged!.json.buffer).toBe(data.buffer);
  });

  it('encodes a decoded version 2 snapshot to the same bytes', () => {
    const original = snapshot([occurrence('u-1', 'ünïcödé'), occurrence('u-2', 'b')], [occurrence('u-3', 'c')]);
    const data = encodeSnapshot(original);
    expect(Buffer.from(encodeSnapshot(decode(data).event)).equals(Buffer.from(data))).toBe(true);
    expect(Buffer.from(encodeSnapshot(loggedEvent(original) as SnapshotScrapedV2)).equals(Buffer.from(data))).toBe(true);
  });

  it('starts with the envelope a JSON reader of the log can still read', () => {
    const data = encodeSnapshot(snapshot([occurrence('u-1', 'x')]));
    const newline = data.indexOf(0x0a);
    expect(JSON.parse(text(data.subarray(0, newline)))).toMatchObject({
      type: 'SnapshotScraped',
      version: 2,
      service: 'svc\n"quoted"',
      data: { aggregated_errors: [{ aggregation_key: 'k0', latest_errors: [{ uuid: 'u-1', bytes: expect.any(Number) }] }] },
    });
  });

  it("points at each occurrence's stack trace: the bytes of its error.stacktrace list", () => {
    const withCause: ErrorOccurrence = {
      ...occurrence('u-1', 'ünïcödé "stacktrace":0 ✓'),
      error: { class: 'E', message: 'm', stacktrace: ['at ü [as x]', 'at "q"'], cause: { class: 'C', message: '', stacktrace: ['at c'], cause: null } },
    };
    const { event } = decode(encodeSnapshot(snapshot([occurrence('u-2', 'ünïcödé "stacktrace":0'), withCause])));
    for (const [logged, original] of event.data.aggregated_errors[0]!.latest_errors.map((o, i) => [o, [occurrence('u-2', 'ünïcödé "stacktrace":0'), withCause][i]!] as const)) {
      expect(logged.stackBytes).toBeGreaterThan(0);
      expect(JSON.parse(text(logged.json.subarray(logged.stackAt, logged.stackAt + logged.stackBytes)))).toEqual(original.error.stacktrace);
      expect(JSON.parse(text(logged.json))).toEqual(original);
    }
  });

  it('points at no stack trace when an occurrence has no list of them', () => {
    const odd = { ...occurrence('u-1', 'x'), error: { class: 'E', message: 'm', stacktrace: undefined, cause: null } } as unknown as ErrorOccurrence;
    const [logged] = decode(encodeSnapshot(snapshot([odd]))).event.data.aggregated_errors[0]!.latest_errors;
    expect(logged!.stackBytes).toBe(0);
    expect(JSON.parse(text(logged!.json))).toEqual(JSON.parse(JSON.stringify(odd)));
  });

  it('takes any other message whole, newlines and all (a pretty-printed version 1 event)', () => {
    const pretty = Buffer.from(JSON.stringify(snapshot([occurrence('u-1', 'x')]), null, 2));
    const { envelope, trailer } = splitMessage(pretty);
    expect(trailer).toBeNull();
    expect(JSON.parse(text(envelope))).toEqual(snapshot([occurrence('u-1', 'x')]));
  });

  it.each([
    ['an occurrence without its byte count', [{ uuid: 'u', timestamp: 1 }], '{}', 'data.aggregated_errors[0].latest_errors[0] is not {uuid, timestamp, bytes}'],
    ['a negative byte count', [{ uuid: 'u', timestamp: 1, bytes: -1 }], '', 'data.aggregated_errors[0].latest_errors[0] is not {uuid, timestamp, bytes}'],
    ['a uuid that is not a string', [{ uuid: 7, timestamp: 1, bytes: 2 }], '{}', 'data.aggregated_errors[0].latest_errors[0] is not {uuid, timestamp, bytes}'],
    ['texts longer than what follows', [{ uuid: 'u', timestamp: 1, bytes: 3 }], '{}', 'data.aggregated_errors[0].latest_errors[0] ends at byte 3 of the occurrences, 2 follow the envelope'],
    ['bytes no occurrence takes', [{ uuid: 'u', timestamp: 1, bytes: 2 }], '{}{}', "the occurrences' texts take 2 bytes, 4 follow the envelope"],
    ['a stack trace range that is not byte counts', [{ uuid: 'u', timestamp: 1, bytes: 2, stack_at: -1, stack_bytes: 1 }], '{}', 'data.aggregated_errors[0].latest_errors[0]: stack_at -1 and stack_bytes 1 are not byte counts'],
    ['a stack trace past its text', [{ uuid: 'u', timestamp: 1, bytes: 2, stack_at: 1, stack_bytes: 5 }], '{}', 'data.aggregated_errors[0].latest_errors[0]: its stack trace ends at byte 6, its text has 2'],
  ])('names what is wrong with %s', (_what, latestErrors, trailer, problem) => {
    const envelope = JSON.stringify({ type: 'SnapshotScraped', version: 2, service: 's', at: AT, data: { aggregated_errors: [{ aggregation_key: 'k', latest_errors: latestErrors }] } });
    expect(decode(Buffer.from(`${envelope}\n${trailer}`)).problem).toBe(problem);
  });

  it('names a version 2 envelope with nothing after it', () => {
    const envelope = JSON.stringify({ type: 'SnapshotScraped', version: 2, service: 's', at: AT, data: { aggregated_errors: [] } });
    expect(decode(Buffer.from(envelope)).problem).toBe('no occurrence bytes follow the envelope');
  });

  it('tells a logged occurrence from an object', () => {
    const logged: LoggedOccurrence = { uuid: 'u', timestamp: 1, json: new Uint8Array(2), stackAt: 0, stackBytes: 0 };
    expect(isLogged(logged)).toBe(true);
    expect(isLogged(occurrence('u', 'x'))).toBe(false);
  });
});
