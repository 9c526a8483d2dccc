import { splitPayloadBody } from './body-segments.js';
import { parseScrapedPayload } from './payload.js';
import { parseSplitBody, splitDigests, type KnownSegment } from './segmented-parse.js';
import { occurrenceFingerprints } from './snapshot-delta.js';

function occurrence(uuid: string) {
  return { error: { class: 'E', message: `m ${uuid}`, stacktrace: ['at f (a.js:1)'], cause: null }, uuid, timestamp: '2026-11-24T01:00:00Z', severity: 'error' };
}

function body(targetUuid: string, errors: [key: string, total: number, uuids: string[]][], spelling = 'aggregated_errors'): Buffer {
  const aggregated = errors.map(([key, total, uuids]) => ({ aggregation_key: key, total_count: total, severity: 'warning', latest_errors: uuids.map(occurrence) }));
  return Buffer.from(JSON.stringify({ target_uuid: targetUuid, [spelling]: aggregated }));
}

/** parseSplitBody with what a previous parse of the same target recorded. */
function parse(bytes: Buffer, recorded?: { targetUuid: string | null; segments: KnownSegment[]; totals?: Map<string, number> }) {
  const split = splitPayloadBody(bytes)!;
  const totals = recorded && (recorded.totals ?? new Map(recorded.segments.map((s) => [s.key, s.total])));
  return parseSplitBody(
    bytes,
    split,
    splitDigests(bytes, split).segments,
    recorded && ((uuid) => (uuid === recorded.targetUuid ? totals : undefined)),
    recorded && ((uuid) => (uuid === recorded.targetUuid ? new Map(recorded.segments.map((s) => [s.digest, s])) : undefined)),
  );
}

describe('parseSplitBody', () => {
  const first = body('t', [
    ['a', 1, ['u1']],
    ['b', 2, ['u2', 'u3']],
  ]);
  const second = body('t', [
    ['a', 1, ['u1']],
    ['b', 3, ['u4', 'u2']],
  ]);

  it.each([
    ['snake_case', first],
    ['camelCase', body('t', [['a', 1, ['u1']]], 'aggregatedErrors')],
    ['no aggregated errors', body('t', [])],
  ])('gives what parseScrapedPayload gives for the whole body (%s)', (_case, bytes) => {
    expect(parse(bytes)!.payload).toEqual(parseScrapedPayload(JSON.parse(bytes.toString())));
  });

  it('reuses the aggregated errors whose bytes were recorded, and gives what parsing them all would', () => {
    const recorded = parse(first)!;
    const again = parse(second, { targetUuid: 't', segments: recorded.segments })!;
    const totals = new Map(recorded.segments.map((s) => [s.key, s.total]));
    expect(again.payload).toEqual(parseScrapedPayload(JSON.parse(second.toString()), () => totals));
    // "a" is the very object recorded; "b" is new: 3 and its header only, no occurrences kept.
    expect(again.segments[0]).toBe(recorded.segments[0]);
    expect(again.segments[1]).toMatchObject({ key: 'b', total: 3, header: { aggregation_key: 'b', total_count: 3, severity: 'warning' } });
    expect(again.segments[1]!.header).not.toHaveProperty('latest_errors');
  });

  it('parses a recorded element again when its key has another recorded total', () => {
    const recorded = parse(first)!;
    const totals = new Map([
      ['a', 7],
      ['b', 2],
    ]);
    const again = parse(first, { targetUuid: 't', segments: recorded.segments, totals })!;
    expect(again.payload.aggregated_errors.map((e) => e.latest_errors.map((o) => o.uuid))).toEqual([['u1'], []]);
  });

  it('reuses nothing of another target_uuid (the instance restarted)', () => {
    const recorded = parse(first)!;
    const restarted = body('t2', [['a', 1, ['u1']]]);
    expect(parse(restarted, { targetUuid: 't', segments: recorded.segments })!.payload).toEqual(parseScrapedPayload(JSON.parse(restarted.toString())));
  });

  it.each([
    ['a new element', '{"target_uuid":"t","aggregated_errors":[{"aggregation_key":"a","total_count":tru}]}'],
    ['the skeleton', '{"target_uuid":t,"aggregated_errors":[]}'],
    ['a control character in a string', '{"target_uuid":"t\u0001","aggregated_errors":[]}'],
  ])('gives null when %s is not JSON: the whole body is parsed for the message', (_case, text) => {
    expect(parse(Buffer.from(text))).toBeNull();
  });

  it('throws the PayloadError parseScrapedPayload throws, with the same path', () => {
    const bytes = Buffer.from('{"aggregated_errors":[{"aggregation_key":"a","total_count":1},{"aggregation_key":"b","total_count":-1}]}');
    expect(() => parse(bytes)).toThrow('aggregated_errors[1].total_count: expected a non-negative integer, got -1');
  });
});

describe('splitDigests', () => {
  const digests = (text: string) => {
    const bytes = Buffer.from(text);
    return splitDigests(bytes, splitPayloadBody(bytes)!);
  };
  const base = digests('{"t":"x","aggregated_errors":[{"a":1},{"b":2}]}');

  it('is the same for the same bytes', () => {
    expect(digests('{"t":"x","aggregated_errors":[{"a":1},{"b":2}]}')).toEqual(base);
  });

  it.each([
    ['a byte of an element', '{"t":"x","aggregated_errors":[{"a":1},{"b":3}]}'],
    ['a byte outside the elements', '{"t":"y","aggregated_errors":[{"a":1},{"b":2}]}'],
    ['the order of the elements', '{"t":"x","aggregated_errors":[{"b":2},{"a":1}]}'],
  ])('differs for the body when %s differs', (_case, text) => {
    expect(digests(text).body).not.toBe(base.body);
  });

  it('is the same when only whitespace between the elements differs', () => {
    expect(digests('{"t":"x","aggregated_errors":[{"a":1},\n {"b":2}]}')).toEqual(base);
  });

  it('gives an element the same digest wherever it is', () => {
    expect(digests('{"aggregated_errors":[{"b":2},{"a":1}],"t":"z"}').segments).toEqual([...base.segments].reverse());
  });
});

describe('splitDigests of elements that begin with their key and total', () => {
  const digests = (text: string) => {
    const bytes = Buffer.from(text);
    return splitDigests(bytes, splitPayloadBody(bytes)!).segments;
  };

  it('names an element by its length, total and key, whatever its other bytes', () => {
    const element = '{"aggregation_key":"k","total_count":3,"latest_errors":[{"uuid":"a"}]}';
    const [one] = digests(`{"aggregated_errors":[${element}]}`);
    const [sameShape] = digests('{"aggregated_errors":[{"aggregation_key":"k","total_count":3,"latest_errors":[{"uuid":"b"}]}]}');
    expect(one).toBe(`id:${element.length}:3:"k"`);
    expect(sameShape).toBe(one);
  });

  it.each([
    ['another total', '{"aggregated_errors":[{"aggregation_key":"k","total_count":4,"latest_errors":[{"uuid":"a"}]}]}'],
    ['another key', '{"aggregated_errors":[{"aggregation_key":"j","total_count":3,"latest_errors":[{"uuid":"a"}]}]}'],
    ['another length', '{"aggregated_errors":[{"aggregation_key":"k","total_count":3,"latest_errors":[{"uuid":"ab"}]}]}'],
  ])('tells apart an element with %s', (_case, text) => {
    expect(digests(text)).not.toEqual(digests('{"aggregated_errors":[{"aggregation_key":"k","total_count":3,"latest_errors":[{"uuid":"a"}]}]}'));
  });

  it('hashes the bytes of an element of another shape', () => {
    const [digest] = digests('{"aggregated_errors":[{"total_count":3,"aggregation_key":"k"}]}');
    expect(digest).toMatch(/^sha:[A-Za-z0-9+/]{22}$/);
  });
});

describe('parseSplitBody reusing an element by its identity', () => {
  it('parses an element again when its total changed, and takes the unchanged one from the record', () => {
    const before = body('t', [
      ['a', 1, ['u1']],
      ['b', 1, ['u2']],
    ]);
    const recorded = parse(before)!;
    const after = body('t', [
      ['a', 1, ['u1']],
      ['b', 2, ['u2', 'u3']],
    ]);
    const parsed = parse(after, { targetUuid: 't', segments: recorded.segments })!;
    expect(parsed.segments[0]).toBe(recorded.segments[0]);
    const recordedTotals = new Map([['a', 1], ['b', 1]]);
    expect(parsed.payload).toEqual(parseScrapedPayload(JSON.parse(after.toString()), () => recordedTotals));
  });
});

describe('parseSplitBody leaving recorded occurrences unparsed', () => {
  const recordedWith = (bytes: Buffer, seen: [key: string, uuids: string[]][]) => {
    const split = splitPayloadBody(bytes)!;
    return parseSplitBody(bytes, split, splitDigests(bytes, split).segments, () => new Map([['a', 1], ['b', 1]]), () => new Map(), () =>
      new Map(seen.map(([key, uuids]) => [key, occurrenceFingerprints(uuids)])),
    )!;
  };

  it('parses only the occurrences of a changed error not recorded before, and names the others by fingerprint', () => {
    const bytes = body('t', [['a', 3, ['u3', 'u2', 'u1']]]);
    const parsed = recordedWith(bytes, [['a', ['u1', 'u2']]]);
    expect(parsed.payload.aggregated_errors[0]!.latest_errors.map((o) => o.uuid)).toEqual(['u3']);
    expect(parsed.unparsedSeen).toEqual([occurrenceFingerprints(['u2', 'u1'])]);
    // The rest of the error as a whole parse gives it.
    const whole = parseScrapedPayload(JSON.parse(bytes.toString()), undefined).aggregated_errors[0]!;
    expect({ ...parsed.payload.aggregated_errors[0]!, latest_errors: [] }).toEqual({ ...whole, latest_errors: [] });
    expect(parsed.payload.aggregated_errors[0]!.latest_errors[0]).toEqual(whole.latest_errors[0]);
  });

  it('parses every occurrence of a key with nothing recorded', () => {
    const parsed = recordedWith(body('t', [['b', 2, ['v2', 'v1']]]), [['a', ['u1']]]);
    expect(parsed.payload.aggregated_errors[0]!.latest_errors.map((o) => o.uuid)).toEqual(['v2', 'v1']);
    expect(parsed.unparsedSeen).toEqual(['']);
  });
});

