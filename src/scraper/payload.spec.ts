import { createHash } from 'node:crypto';

import { MAX_CAUSE_DEPTH, PayloadError, parseScrapedPayload } from './payload.js';
import type { ScrapedPayload } from './payload.types.js';

// The reference payloads the Go server's tests scrape (sample-response1.json and
// sample-response2.json), inlined so the suite does not depend on files outside the project.
function sampleOccurrence(uuid: string, timestamp: string) {
  return {
    error: { class: 'com.soundcloud.Foo', message: '', stacktrace: ['com.soundcloud.Bar'], cause: null },
    uuid,
    timestamp,
    severity: 'error',
    http_context: { request_method: 'GET', request_url: 'http://url', request_headers: { Key: 'value' } },
  };
}

function sampleResponse(createdAt: string, occurrences: Array<[string, string]>) {
  return {
    aggregated_errors: [
      {
        aggregation_key: 'com.soundcloud.Foon@e28e036e',
        total_count: 2,
        severity: 'error',
        created_at: createdAt,
        latest_errors: occurrences.map(([uuid, timestamp]) => sampleOccurrence(uuid, timestamp)),
      },
    ],
  };
}

const SAMPLE_RESPONSE_1 = sampleResponse('2018-09-13T16:23:30.630Z', [
  ['uuid1', '2018-09-13T16:23:30.630Z'],
  ['uuid2', '2018-09-13T16:25:30.630Z'],
]);
const SAMPLE_RESPONSE_2 = sampleResponse('2018-09-13T15:23:30.630Z', [
  ['uuid3', '2018-09-13T16:24:30.630Z'],
  ['uuid4', '2018-09-13T16:26:30.630Z'],
]);

const T0 = Date.UTC(2018, 8, 13, 16, 23, 30, 630);
const MINUTE = 60_000;

function normalisedSample(createdAt: number, occurrences: Array<[string, number]>): ScrapedPayload {
  return {
    target_uuid: null,
    aggregated_errors: [
      {
        aggregation_key: 'com.soundcloud.Foon@e28e036e',
        total_count: 2,
        severity: 'error',
        created_at: createdAt,
        latest_errors: occurrences.map(([uuid, timestamp]) => ({
          error: { class: 'com.soundcloud.Foo', message: '', stacktrace: ['com.soundcloud.Bar'], cause: null },
          uuid,
          timestamp,
          severity: 'error',
          http_context: {
            request_method: 'GET',
            request_url: 'http://url',
            request_headers: { Key: 'value' },
            request_body: null,
          },
        })),
      },
    ],
  };
}

/** A minimal valid payload with one aggregate and one occurrence, overridable at each level. */
function payloadWith(
  aggregate: Record<string, unknown> = {},
  occurrence: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    aggregated_errors: [
      {
        aggregation_key: 'Error@0a1b2c3d',
        total_count: 1,
        latest_errors: [{ error: { class: 'Error', message: 'boom' }, uuid: 'u1', timestamp: T0, ...occurrence }],
        ...aggregate,
      },
    ],
  };
}

function firstAggregate(value: unknown) {
  return parseScrapedPayload(value).aggregated_errors[0]!;
}

function firstOccurrence(value: unknown) {
  return firstAggregate(value).latest_errors[0]!;
}

function errorOf(run: () => unknown): PayloadError {
  try {
    run();
  } catch (error) {
    if (error instanceof PayloadError) return error;
    throw error;
  }
  throw new Error('expected a PayloadError');
}

describe('parseScrapedPayload', () => {
  describe('reference payloads', () => {
    it.each([
      ['normalises sample-response1.json', SAMPLE_RESPONSE_1, normalisedSample(T0, [['uuid1', T0], ['uuid2', T0 + 2 * MINUTE]])],
      [
        'normalises sample-response2.json',
        SAMPLE_RESPONSE_2,
        normalisedSample(T0 - 60 * MINUTE, [['uuid3', T0 + MINUTE], ['uuid4', T0 + 3 * MINUTE]]),
      ],
    ])('%s', (_behaviour, input, expected) => {
      expect(parseScrapedPayload(JSON.parse(JSON.stringify(input)))).toEqual(expected);
    });

    it('accepts the proto canonical camelCase mapping as the same payload', () => {
      const camel = {
        targetUuid: 'target-1',
        aggregatedErrors: [
          {
            aggregationKey: 'com.soundcloud.Foon@e28e036e',
            totalCount: '2',
            severity: 'error',
            createdAt: '2018-09-13T16:23:30.630Z',
            latestErrors: [
              {
                error: { class: 'com.soundcloud.Foo', message: '', stacktrace: ['com.soundcloud.Bar'] },
                uuid: 'uuid1',
                timestamp: '2018-09-13T16:23:30.630Z',
                severity: 'error',
                httpContext: { requestMethod: 'GET', requestUrl: 'http://url', requestHeaders: { Key: 'value' } },
              },
              {
                error: { class: 'com.soundcloud.Foo', message: '', stacktrace: ['com.soundcloud.Bar'] },
                uuid: 'uuid2',
                timestamp: '2018-09-13T16:25:30.630Z',
                severity: 'error',
                httpContext: { requestMethod: 'GET', requestUrl: 'http://url', requestHeaders: { Key: 'value' } },
              },
            ],
          },
        ],
      };
      expect(parseScrapedPayload(camel)).toEqual({
        ...normalisedSample(T0, [['uuid1', T0], ['uuid2', T0 + 2 * MINUTE]]),
        target_uuid: 'target-1',
      });
    });

    it('prefers the snake_case field when both spellings are present', () => {
      expect(firstAggregate(payloadWith({ total_count: 3, totalCount: 9 })).total_count).toBe(3);
    });
  });

  describe('top level', () => {
    it.each([
      ['reads a target_uuid', { target_uuid: 'abc' }, 'abc'],
      ['reads a camelCase targetUuid', { targetUuid: 'abc' }, 'abc'],
      ['reads a missing target_uuid as null', {}, null],
      ['reads a null target_uuid as null', { target_uuid: null }, null],
      ['reads an empty target_uuid as null', { target_uuid: '' }, null],
    ])('%s', (_behaviour, extra, expected) => {
      expect(parseScrapedPayload({ aggregated_errors: [], ...extra }).target_uuid).toBe(expected);
    });

    it('accepts an empty aggregated_errors array', () => {
      expect(parseScrapedPayload({ aggregated_errors: [] })).toEqual({ target_uuid: null, aggregated_errors: [] });
    });

    it('ignores unknown keys at every level', () => {
      const payload = payloadWith({ future_field: 1 }, { trace_id: 'x', http_context: { request_method: 'GET', extra: 1 } });
      expect(() => parseScrapedPayload({ ...payload, schema_version: 2 })).not.toThrow();
    });
  });

  describe('aggregated errors', () => {
    it.each([
      ['defaults a missing severity to error', {}, 'error'],
      ['defaults a null severity to error', { severity: null }, 'error'],
      ['defaults an empty severity to error', { severity: '' }, 'error'],
      ['reads info', { severity: 'info' }, 'info'],
      ['reads warning case-insensitively', { severity: 'WARNING' }, 'warning'],
      ['reads Error case-insensitively', { severity: 'Error' }, 'error'],
    ])('%s', (_behaviour, aggregate, expected) => {
      expect(firstAggregate(payloadWith(aggregate)).severity).toBe(expected);
    });

    it.each([
      ['reads a numeric total_count', 12, 12],
      ['reads an int64 total_count serialised as a string', '12', 12],
      ['reads a zero total_count', 0, 0],
    ])('%s', (_behaviour, total_count, expected) => {
      expect(firstAggregate(payloadWith({ total_count })).total_count).toBe(expected);
    });

    it.each([
      ['reads an RFC 3339 created_at as epoch milliseconds', '2018-09-13T16:23:30.630Z', T0],
      ['reads an epoch-seconds created_at', 1536855810, T0 - 630],
      ['reads a missing created_at as null', undefined, null],
      ['reads an unparseable created_at as null', 'sometime', null],
    ])('%s', (_behaviour, created_at, expected) => {
      expect(firstAggregate(payloadWith({ created_at })).created_at).toBe(expected);
    });

    it.each([
      ['reads missing latest_errors as empty', { latest_errors: undefined }],
      ['reads null latest_errors as empty', { latest_errors: null }],
    ])('%s', (_behaviour, aggregate) => {
      expect(firstAggregate(payloadWith(aggregate)).latest_errors).toEqual([]);
    });

    it('accepts a 4096-character aggregation key', () => {
      const key = 'k'.repeat(4096);
      expect(firstAggregate(payloadWith({ aggregation_key: key })).aggregation_key).toBe(key);
    });
  });

  describe('occurrences', () => {
    it.each([
      ['reads an RFC 3339 timestamp with nanoseconds and an offset', '2018-09-13T17:23:30.630123456+01:00', T0],
      ['reads an offset without a colon', '2018-09-13T17:23:30.630+0100', T0],
      ['reads epoch seconds', 1536855810, T0 - 630],
      ['reads epoch milliseconds', T0, T0],
      ['reads epoch seconds as a numeric string', '1536855810.63', T0],
      ['reads epoch milliseconds as a numeric string', String(T0), T0],
    ])('%s', (_behaviour, timestamp, expected) => {
      expect(firstOccurrence(payloadWith({}, { timestamp })).timestamp).toBe(expected);
    });

    it.each([
      ['inherits the aggregate severity when missing', { severity: 'warning' }, {}, 'warning'],
      ['inherits the aggregate severity when empty', { severity: 'info' }, { severity: '' }, 'info'],
      ['keeps its own severity', { severity: 'info' }, { severity: 'ERROR' }, 'error'],
      ['defaults to error with no severity anywhere', {}, {}, 'error'],
    ])('%s', (_behaviour, aggregate, occurrence, expected) => {
      expect(firstOccurrence(payloadWith(aggregate, occurrence)).severity).toBe(expected);
    });

    it.each([
      [
        'fills class, stacktrace and cause of a message-only error',
        { message: 'boom' },
        { class: '', message: 'boom', stacktrace: [], cause: null },
      ],
      [
        'reads null fields as their defaults',
        { class: null, message: null, stacktrace: null, cause: null },
        { class: '', message: '', stacktrace: [], cause: null },
      ],
      [
        'reads a cause chain recursively',
        { class: 'A', message: 'a', cause: { class: 'B', message: 'b', stacktrace: ['at b'], cause: { message: 'c' } } },
        {
          class: 'A',
          message: 'a',
          stacktrace: [],
          cause: {
            class: 'B',
            message: 'b',
            stacktrace: ['at b'],
            cause: { class: '', message: 'c', stacktrace: [], cause: null },
          },
        },
      ],
    ])('%s', (_behaviour, error, expected) => {
      expect(firstOccurrence(payloadWith({}, { error })).error).toEqual(expected);
    });

    it.each([
      ['reads a missing error as an empty one', undefined],
      ['reads a null error as an empty one', null],
    ])('%s', (_behaviour, error) => {
      expect(firstOccurrence(payloadWith({}, { error })).error).toEqual({
        class: '',
        message: '',
        stacktrace: [],
        cause: null,
      });
    });

    it(`accepts a cause chain ${MAX_CAUSE_DEPTH} deep`, () => {
      expect(() => parseScrapedPayload(payloadWith({}, { error: causeChain(MAX_CAUSE_DEPTH) }))).not.toThrow();
    });

    describe('uuid', () => {
      it('keeps the uuid the client sent', () => {
        expect(firstOccurrence(payloadWith({}, { uuid: 'abc' })).uuid).toBe('abc');
      });

      it.each([
        ['derives a uuid when it is missing', undefined],
        ['derives a uuid when it is null', null],
        ['derives a uuid when it is empty', ''],
      ])('%s', (_behaviour, uuid) => {
        const expected = createHash('sha1')
          .update(JSON.stringify({ timestamp: T0, error: { class: 'Error', message: 'boom', stacktrace: [], cause: null } }))
          .digest('hex');
        expect(firstOccurrence(payloadWith({}, { uuid })).uuid).toBe(expected);
      });

      it('derives the same uuid however the timestamp was written', () => {
        const fromRfc3339 = firstOccurrence(payloadWith({}, { uuid: undefined, timestamp: '2018-09-13T17:23:30.630+01:00' }));
        const fromEpoch = firstOccurrence(payloadWith({}, { uuid: undefined, timestamp: T0 }));
        expect(fromRfc3339.uuid).toBe(fromEpoch.uuid);
      });

      it('derives different uuids for different occurrences', () => {
        const first = firstOccurrence(payloadWith({}, { uuid: undefined, timestamp: T0 }));
        const second = firstOccurrence(payloadWith({}, { uuid: undefined, timestamp: T0 + 1 }));
        expect(first.uuid).not.toBe(second.uuid);
      });
    });

    describe('http_context', () => {
      it.each([
        ['reads a missing http_context as null', undefined, null],
        ['reads a null http_context as null', null, null],
        [
          'defaults every field of an empty http_context',
          {},
          { request_method: '', request_url: '', request_headers: {}, request_body: null },
        ],
        [
          'reads null request_headers (Python client) as empty',
          { request_method: 'GET', request_url: '/x', request_headers: null },
          { request_method: 'GET', request_url: '/x', request_headers: {}, request_body: null },
        ],
        [
          'keeps a request body',
          { request_method: 'POST', request_url: '/x', request_body: '{"a":1}' },
          { request_method: 'POST', request_url: '/x', request_headers: {}, request_body: '{"a":1}' },
        ],
        [
          'stringifies non-string header values',
          { request_headers: { 'Content-Length': 12, 'X-Flag': true, 'X-Many': ['a', 'b'], 'X-None': null } },
          {
            request_method: '',
            request_url: '',
            request_headers: { 'Content-Length': '12', 'X-Flag': 'true', 'X-Many': '["a","b"]', 'X-None': '' },
            request_body: null,
          },
        ],
      ])('%s', (_behaviour, http_context, expected) => {
        expect(firstOccurrence(payloadWith({}, { http_context })).http_context).toEqual(expected);
      });
    });
  });

  describe('prototype pollution', () => {
    const hostile = JSON.parse(`{
      "__proto__": { "polluted": "top" },
      "constructor": { "prototype": { "polluted": "constructor" } },
      "aggregated_errors": [{
        "__proto__": { "polluted": "aggregate" },
        "aggregation_key": "__proto__",
        "total_count": 1,
        "latest_errors": [{
          "__proto__": { "polluted": "occurrence" },
          "uuid": "u", "timestamp": 0,
          "error": { "__proto__": { "polluted": "error" }, "class": "constructor", "message": "prototype" },
          "http_context": { "request_headers": {
            "__proto__": { "polluted": "headers" },
            "constructor": "c",
            "prototype": "p"
          } }
        }]
      }]
    }`);

    it('never writes to Object.prototype', () => {
      parseScrapedPayload(hostile);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });

    it('keeps constructor and prototype header names as plain data and drops __proto__', () => {
      const headers = firstOccurrence(hostile).http_context!.request_headers;
      expect(Object.entries(headers)).toEqual([
        ['constructor', 'c'],
        ['prototype', 'p'],
      ]);
      expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
    });

    it('treats __proto__ and constructor as ordinary key and class strings', () => {
      const aggregate = firstAggregate(hostile);
      expect(aggregate.aggregation_key).toBe('__proto__');
      expect(aggregate.latest_errors[0]!.error.class).toBe('constructor');
      expect(Object.keys(aggregate)).toEqual(['aggregation_key', 'total_count', 'severity', 'created_at', 'latest_errors']);
    });

    it('does not read fields inherited from a prototype', () => {
      const inherited = Object.create({ aggregated_errors: [] }) as object;
      expect(errorOf(() => parseScrapedPayload(inherited)).message).toBe('aggregated_errors: is required');
    });
  });

  describe('rejections', () => {
    const AT = 'aggregated_errors[0]';
    const OCC = `${AT}.latest_errors[0]`;

    it.each<[string, unknown, string, string]>([
      ['rejects a non-object payload', [], 'payload', 'expected an object, got an array'],
      ['rejects a null payload', null, 'payload', 'expected an object, got null'],
      ['requires aggregated_errors', {}, 'aggregated_errors', 'is required'],
      ['rejects a non-array aggregated_errors', { aggregated_errors: {} }, 'aggregated_errors', 'expected an array, got an object'],
      ['rejects a non-string target_uuid', { aggregated_errors: [], target_uuid: 7 }, 'target_uuid', 'expected a string, got 7'],
      ['rejects a non-object aggregate', { aggregated_errors: ['x'] }, AT, 'expected an object, got "x"'],
      ['requires an aggregation key', payloadWith({ aggregation_key: undefined }), `${AT}.aggregation_key`, 'is required'],
      ['rejects an empty aggregation key', payloadWith({ aggregation_key: '' }), `${AT}.aggregation_key`, 'is required'],
      [
        'rejects a non-string aggregation key',
        payloadWith({ aggregation_key: 42 }),
        `${AT}.aggregation_key`,
        'expected a string, got 42',
      ],
      [
        'rejects an aggregation key over 4096 characters',
        payloadWith({ aggregation_key: 'k'.repeat(4097) }),
        `${AT}.aggregation_key`,
        'is 4097 characters long, the limit is 4096',
      ],
      ['requires total_count', payloadWith({ total_count: undefined }), `${AT}.total_count`, 'is required'],
      [
        'rejects a negative total_count',
        payloadWith({ total_count: -1 }),
        `${AT}.total_count`,
        'expected a non-negative integer, got -1',
      ],
      [
        'rejects a fractional total_count',
        payloadWith({ total_count: 1.5 }),
        `${AT}.total_count`,
        'expected a non-negative integer, got 1.5',
      ],
      [
        'rejects a non-numeric total_count string',
        payloadWith({ total_count: '12abc' }),
        `${AT}.total_count`,
        'expected a non-negative integer, got "12abc"',
      ],
      [
        'rejects a total_count beyond safe integers',
        payloadWith({ total_count: '9007199254740993' }),
        `${AT}.total_count`,
        'expected a non-negative integer, got "9007199254740993"',
      ],
      [
        'rejects an unknown aggregate severity',
        payloadWith({ severity: 'fatal' }),
        `${AT}.severity`,
        'expected one of info, warning, error, got "fatal"',
      ],
      [
        'rejects a non-array latest_errors',
        payloadWith({ latest_errors: 'none' }),
        `${AT}.latest_errors`,
        'expected an array, got "none"',
      ],
      ['rejects a non-object occurrence', payloadWith({ latest_errors: [1] }), OCC, 'expected an object, got 1'],
      ['requires an occurrence timestamp', payloadWith({}, { timestamp: undefined }), `${OCC}.timestamp`, 'is required'],
      [
        'rejects an unparseable timestamp',
        payloadWith({}, { timestamp: 'yesterday' }),
        `${OCC}.timestamp`,
        '"yesterday" is not an RFC 3339 timestamp or epoch',
      ],
      [
        'rejects a timestamp without an offset',
        payloadWith({}, { timestamp: '2018-09-13T16:23:30' }),
        `${OCC}.timestamp`,
        '"2018-09-13T16:23:30" is not an RFC 3339 timestamp or epoch',
      ],
      ['rejects a non-string uuid', payloadWith({}, { uuid: 5 }), `${OCC}.uuid`, 'expected a string, got 5'],
      [
        'rejects an unknown occurrence severity',
        payloadWith({}, { severity: 'critical' }),
        `${OCC}.severity`,
        'expected one of info, warning, error, got "critical"',
      ],
      ['rejects a non-object error', payloadWith({}, { error: 'boom' }), `${OCC}.error`, 'expected an object, got "boom"'],
      ['rejects a non-string class', payloadWith({}, { error: { class: 1 } }), `${OCC}.error.class`, 'expected a string, got 1'],
      [
        'rejects a non-string message',
        payloadWith({}, { error: { message: {} } }),
        `${OCC}.error.message`,
        'expected a string, got an object',
      ],
      [
        'rejects a non-array stacktrace',
        payloadWith({}, { error: { stacktrace: 'at x' } }),
        `${OCC}.error.stacktrace`,
        'expected an array, got "at x"',
      ],
      [
        'rejects a non-string stacktrace line',
        payloadWith({}, { error: { stacktrace: ['at x', 3] } }),
        `${OCC}.error.stacktrace[1]`,
        'expected a string, got 3',
      ],
      [
        'rejects a non-object cause',
        payloadWith({}, { error: { cause: { cause: 'x' } } }),
        `${OCC}.error.cause.cause`,
        'expected an object, got "x"',
      ],
      [
        `rejects a cause chain deeper than ${MAX_CAUSE_DEPTH}`,
        payloadWith({}, { error: causeChain(MAX_CAUSE_DEPTH + 1) }),
        `${OCC}.error${'.cause'.repeat(MAX_CAUSE_DEPTH + 1)}`,
        `cause chain is deeper than ${MAX_CAUSE_DEPTH}`,
      ],
      [
        'rejects a non-object http_context',
        payloadWith({}, { http_context: 'GET /' }),
        `${OCC}.http_context`,
        'expected an object, got "GET /"',
      ],
      [
        'rejects a non-string request_method',
        payloadWith({}, { http_context: { request_method: 1 } }),
        `${OCC}.http_context.request_method`,
        'expected a string, got 1',
      ],
      [
        'rejects a non-string camelCase requestUrl under its snake_case path',
        payloadWith({}, { httpContext: { requestUrl: false } }),
        `${OCC}.http_context.request_url`,
        'expected a string, got false',
      ],
      [
        'rejects non-object request_headers',
        payloadWith({}, { http_context: { request_headers: ['a'] } }),
        `${OCC}.http_context.request_headers`,
        'expected an object, got an array',
      ],
      [
        'rejects a header value nested 100,000 deep without overflowing the stack',
        payloadWith({}, { http_context: { request_headers: { 'X-Deep': JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)) } } }),
        `${OCC}.http_context.request_headers["X-Deep"]`,
        'expected a string, got a value nested deeper than 8 levels',
      ],
      [
        'rejects a non-string request_body',
        payloadWith({}, { http_context: { request_body: { a: 1 } } }),
        `${OCC}.http_context.request_body`,
        'expected a string, got an object',
      ],
      [
        'rejects duplicate aggregation keys, naming both indices',
        {
          aggregated_errors: [
            { aggregation_key: 'a', total_count: 1 },
            { aggregation_key: 'b', total_count: 1 },
            { aggregation_key: 'a', total_count: 2 },
          ],
        },
        'aggregated_errors[2].aggregation_key',
        '"a" duplicates aggregated_errors[0].aggregation_key',
      ],
      [
        'names the failing index deep in a payload',
        {
          aggregated_errors: [0, 1, 2, 3].map((index) => ({
            aggregation_key: `k${index}`,
            total_count: 1,
            latest_errors: [{ uuid: 'u', timestamp: index === 3 ? 'yesterday' : T0 }],
          })),
        },
        'aggregated_errors[3].latest_errors[0].timestamp',
        '"yesterday" is not an RFC 3339 timestamp or epoch',
      ],
    ])('%s', (_behaviour, input, path, problem) => {
      const error = errorOf(() => parseScrapedPayload(input));
      expect(error).toBeInstanceOf(PayloadError);
      expect(error.path).toBe(path);
      expect(error.message).toBe(`${path}: ${problem}`);
    });

    it('shortens long offending values in messages', () => {
      const error = errorOf(() => parseScrapedPayload(payloadWith({}, { timestamp: 'x'.repeat(500) })));
      expect(error.message.length).toBeLessThan(200);
    });
  });
});

function causeChain(causes: number): Record<string, unknown> {
  let error: Record<string, unknown> = { message: `level ${causes}` };
  for (let level = causes - 1; level >= 0; level -= 1) error = { message: `level ${level}`, cause: error };
  return error;
}

describe('parseScrapedPayload with the totals already recorded', () => {
  const payload = {
    target_uuid: 't',
    aggregated_errors: [
      { aggregation_key: 'same', total_count: 3, latest_errors: [{ timestamp: 'not a time', uuid: 'u1' }] },
      { aggregation_key: 'grown', total_count: 5, latest_errors: [{ timestamp: T0, uuid: 'u2' }] },
    ],
  };
  const recorded = new Map([
    ['same', 3],
    ['grown', 4],
  ]);

  it.each([
    ['skips the occurrences of a key whose total is recorded', () => recorded, [['same', 3, []], ['grown', 5, ['u2']]]],
    ['reads every key when the totals are of another target_uuid', () => undefined, 'aggregated_errors[0].latest_errors[0].timestamp'],
  ])('%s', (_behaviour, totalsOf, expected) => {
    const parse = () =>
      parseScrapedPayload(payload, (targetUuid) => (targetUuid === 't' ? totalsOf() : recorded)).aggregated_errors.map((e) => [
        e.aggregation_key,
        e.total_count,
        e.latest_errors.map((o) => o.uuid),
      ]);
    if (typeof expected === 'string') expect(errorOf(parse).path).toBe(expected);
    else expect(parse()).toEqual(expected);
  });

  it('still validates the key and total of a skipped key', () => {
    const bad = { aggregated_errors: [{ aggregation_key: 'same', total_count: -1 }] };
    expect(errorOf(() => parseScrapedPayload(bad, () => recorded)).path).toBe('aggregated_errors[0].total_count');
  });

  it('passes the payload target_uuid (null when absent) to the lookup', () => {
    const asked: (string | null)[] = [];
    parseScrapedPayload({ aggregated_errors: [] }, (targetUuid) => (asked.push(targetUuid), undefined));
    parseScrapedPayload({ target_uuid: 'x', aggregated_errors: [] }, (targetUuid) => (asked.push(targetUuid), undefined));
    expect(asked).toEqual([null, 'x']);
  });
});
