import { aggregationKey } from './aggregation-key.js';
import { ErrorCollector, exportErrors, MAX_AGGREGATION_KEY_LENGTH, MAX_LATEST_OCCURRENCES } from './collector.js';
import { errorDetailsOf, MAX_REPORTED_CAUSES } from './error-details.js';
import { REDACTED } from './http-context.js';

const START = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

/** A collector with a clock that ticks a second per report and sequential uuids. */
function collectorAt(start = START, options: { maxAggregates?: number } = {}) {
  let now = start;
  let ids = 0;
  const clock = { now: () => now };
  const collector = new ErrorCollector({ clock, uuid: () => `uuid-${ids++}`, ...options });
  return {
    collector,
    advance: (ms = 1000) => {
      now += ms;
    },
  };
}

/** The same error (same stack) reported from one place, as a loop in production would. */
function errorFromOnePlace(message: string): Error {
  return new TypeError(message);
}

function stackLines(error: Error): string[] {
  return errorDetailsOf(error).stacktrace;
}

describe('ErrorCollector', () => {
  describe('counting', () => {
    it('counts every report of the same error under one key', () => {
      const { collector } = collectorAt();
      for (let i = 0; i < 3; i += 1) collector.report(errorFromOnePlace('boom'));
      const [aggregate, ...others] = collector.export().aggregated_errors;
      expect(others).toEqual([]);
      expect(aggregate!.total_count).toBe(3);
      expect(aggregate!.latest_errors.map((occurrence) => occurrence.uuid)).toEqual(['uuid-1', 'uuid-2', 'uuid-3']);
    });

    it('keeps different messages under different keys', () => {
      const { collector } = collectorAt();
      const first = collector.report(errorFromOnePlace('a'));
      const second = collector.report(errorFromOnePlace('b'));
      expect(first).not.toBe(second);
      expect(collector.export().aggregated_errors.map((aggregate) => aggregate.total_count)).toEqual([1, 1]);
    });

    it('starts empty', () => {
      expect(collectorAt().collector.export().aggregated_errors).toEqual([]);
    });
  });

  describe(`the ${MAX_LATEST_OCCURRENCES} latest occurrences`, () => {
    it('keeps only the latest ones, oldest first, while counting all', () => {
      const { collector, advance } = collectorAt();
      for (let i = 0; i < MAX_LATEST_OCCURRENCES + 3; i += 1) {
        collector.report(errorFromOnePlace('boom'));
        advance();
      }
      const [aggregate] = collector.export().aggregated_errors;
      expect(aggregate!.total_count).toBe(MAX_LATEST_OCCURRENCES + 3);
      expect(aggregate!.latest_errors).toHaveLength(MAX_LATEST_OCCURRENCES);
      // uuid-0 is the target uuid; occurrences 1–3 were dropped.
      expect(aggregate!.latest_errors[0]!.uuid).toBe('uuid-4');
      expect(aggregate!.latest_errors.at(-1)!.uuid).toBe(`uuid-${MAX_LATEST_OCCURRENCES + 3}`);
      expect(aggregate!.latest_errors[0]!.timestamp).toBe(new Date(START + 3000).toISOString());
    });

    it('remembers when the key was first reported', () => {
      const { collector, advance } = collectorAt();
      for (let i = 0; i < MAX_LATEST_OCCURRENCES + 1; i += 1) {
        collector.report(errorFromOnePlace('boom'));
        advance();
      }
      expect(collector.export().aggregated_errors[0]!.created_at).toBe(new Date(START).toISOString());
    });
  });

  describe('error details', () => {
    it.each<[string, unknown, { class: string; message: string }]>([
      ['names an Error by its constructor', new Error('plain'), { class: 'Error', message: 'plain' }],
      ['names a TypeError by its constructor', new TypeError('typed'), { class: 'TypeError', message: 'typed' }],
      ['names a thrown string "string"', 'just text', { class: 'string', message: 'just text' }],
      ['names a thrown number "number"', 42, { class: 'number', message: '42' }],
      ['names a thrown null "null"', null, { class: 'null', message: 'null' }],
      ['names a thrown undefined "undefined"', undefined, { class: 'undefined', message: 'undefined' }],
      ['reads the message of an error-like object', { message: 'shaped' }, { class: 'Object', message: 'shaped' }],
      ['renders other objects as JSON', { code: 7 }, { class: 'Object', message: '{"code":7}' }],
    ])('%s', (_behaviour, thrown, expected) => {
      expect(errorDetailsOf(thrown)).toMatchObject(expected);
    });

    it('names a subclass by its own constructor', () => {
      class ScrapeTimeout extends Error {}
      expect(errorDetailsOf(new ScrapeTimeout('slow')).class).toBe('ScrapeTimeout');
    });

    it('takes the stack frames after the header line, trimmed', () => {
      const lines = stackLines(new Error('boom'));
      expect(lines.length).toBeGreaterThan(0);
      expect(lines[0]).toMatch(/^at .*collector\.spec\.ts/);
      expect(lines.every((line) => line === line.trim() && line !== '')).toBe(true);
    });

    it('keeps a multi-line message out of the stack frames', () => {
      expect(stackLines(new Error('line one\nline two'))[0]).toMatch(/^at /);
    });

    it('has no stack frames for thrown strings', () => {
      expect(errorDetailsOf('text').stacktrace).toEqual([]);
    });

    it('drops only the first line of a non-V8 stack', () => {
      const error = new Error('x');
      error.stack = 'Error: x\nfoo@bar.js:1:2\nbaz@qux.js:3:4';
      expect(stackLines(error)).toEqual(['foo@bar.js:1:2', 'baz@qux.js:3:4']);
    });
  });

  describe('cause chains', () => {
    it('follows Error.cause recursively', () => {
      const root = new RangeError('root');
      const middle = new TypeError('middle', { cause: root });
      const details = errorDetailsOf(new Error('top', { cause: middle }));
      expect(details.cause).toMatchObject({ class: 'TypeError', message: 'middle' });
      expect(details.cause!.cause).toMatchObject({ class: 'RangeError', message: 'root', cause: null });
    });

    it('reports a string cause', () => {
      expect(errorDetailsOf(new Error('top', { cause: 'why' })).cause).toEqual({
        class: 'string',
        message: 'why',
        stacktrace: [],
        cause: null,
      });
    });

    it('has a null cause when there is none', () => {
      expect(errorDetailsOf(new Error('alone')).cause).toBeNull();
    });

    it('stops at a cycle', () => {
      const a = new Error('a');
      const b = new Error('b', { cause: a });
      (a as { cause?: unknown }).cause = b;
      const details = errorDetailsOf(a);
      expect(details.cause!.message).toBe('b');
      expect(details.cause!.cause).toBeNull();
    });

    it(`cuts chains deeper than ${MAX_REPORTED_CAUSES} causes`, () => {
      let error = new Error('deepest');
      for (let level = 0; level < MAX_REPORTED_CAUSES + 10; level += 1) error = new Error(`level ${level}`, { cause: error });
      let depth = 0;
      for (let details = errorDetailsOf(error).cause; details !== null; details = details.cause) depth += 1;
      expect(depth).toBe(MAX_REPORTED_CAUSES);
    });
  });

  describe('aggregation keys', () => {
    it('is the class and the FNV-1a hash of message and stack head', () => {
      const { collector } = collectorAt();
      const error = new TypeError('boom');
      const details = errorDetailsOf(error);
      expect(collector.report(error)).toBe(aggregationKey('TypeError', 'boom', details.stacktrace));
      expect(collector.report(error)).toMatch(/^TypeError@[0-9a-f]{1,8}$/);
    });

    it('is stable across collectors and time', () => {
      const error = errorFromOnePlace('boom');
      const first = collectorAt(START).collector.report(error);
      const second = collectorAt(START + 86_400_000).collector.report(error);
      expect(first).toBe(second);
    });

    it('gives a thrown string a stable key of its own', () => {
      const { collector } = collectorAt();
      expect(collector.report('oops')).toBe(collector.report('oops'));
      expect(collector.report('oops')).toBe(aggregationKey('string', 'oops', []));
    });

    it('shortens a key Periskop would refuse, keeping long keys apart', () => {
      const { collector } = collectorAt();
      const first = collector.report(new Error('a'), { key: 'k'.repeat(5000) });
      const second = collector.report(new Error('b'), { key: `${'k'.repeat(4999)}j` });
      expect(first.length).toBeLessThanOrEqual(MAX_AGGREGATION_KEY_LENGTH);
      expect(first).not.toBe(second);
    });

    it('lets an explicit key override the computed one', () => {
      const { collector } = collectorAt();
      collector.report(new Error('a'), { key: 'scrape-failure' });
      collector.report(new Error('b'), { key: 'scrape-failure' });
      expect(collector.export().aggregated_errors).toMatchObject([{ aggregation_key: 'scrape-failure', total_count: 2 }]);
    });
  });

  describe('severity', () => {
    it('defaults to error', () => {
      const { collector } = collectorAt();
      collector.report(new Error('x'));
      expect(collector.export().aggregated_errors[0]).toMatchObject({
        severity: 'error',
        latest_errors: [{ severity: 'error' }],
      });
    });

    it('records each occurrence with its severity and the aggregate with the latest', () => {
      const { collector } = collectorAt();
      collector.report(new Error('x'), { key: 'k', severity: 'info' });
      collector.report(new Error('x'), { key: 'k', severity: 'warning' });
      const [aggregate] = collector.export().aggregated_errors;
      expect(aggregate!.severity).toBe('warning');
      expect(aggregate!.latest_errors.map((occurrence) => occurrence.severity)).toEqual(['info', 'warning']);
    });
  });

  describe('severity from untyped callers', () => {
    it.each<[unknown, string]>([
      ['WARNING', 'warning'],
      ['Info', 'info'],
      ['fatal', 'error'],
      [3, 'error'],
    ])('reads %j as %s, so the export stays readable by Periskop', (severity, expected) => {
      const { collector } = collectorAt();
      collector.report(new Error('x'), { severity: severity as 'error' });
      expect(collector.export().aggregated_errors[0]!.severity).toBe(expected);
    });
  });

  describe('http context', () => {
    it('records the request with secret headers redacted, whatever their case', () => {
      const { collector } = collectorAt();
      collector.report(new Error('x'), {
        httpContext: {
          method: 'DELETE',
          url: '/services/api/errors/k/',
          headers: {
            Authorization: 'Bearer secret',
            cookie: 'session=secret',
            'Set-Cookie': ['a=secret', 'b=secret'],
            'proxy-authorization': 'Basic secret',
            'X-API-Key': 'secret',
            accept: 'application/json',
            'x-forwarded-for': ['10.0.0.1', '10.0.0.2'],
            'content-length': 0,
            'x-missing': undefined,
          },
          body: '{"reason":"fixed"}',
        },
      });
      expect(collector.export().aggregated_errors[0]!.latest_errors[0]!.http_context).toEqual({
        request_method: 'DELETE',
        request_url: '/services/api/errors/k/',
        request_headers: {
          Authorization: REDACTED,
          cookie: REDACTED,
          'Set-Cookie': REDACTED,
          'proxy-authorization': REDACTED,
          'X-API-Key': REDACTED,
          accept: 'application/json',
          'x-forwarded-for': '10.0.0.1, 10.0.0.2',
          'content-length': '0',
        },
        request_body: '{"reason":"fixed"}',
      });
    });

    it('reads a Node request: method, full URL from the Host header, headers, parsed body', () => {
      const { collector } = collectorAt();
      collector.report(new Error('x'), {
        request: {
          method: 'POST',
          url: '/orders?id=7',
          headers: { host: 'shop.example:8443', authorization: 'Bearer secret', 'content-type': 'application/json' },
          body: { item: 'book', quantity: 2 },
          socket: { encrypted: true },
        },
      });
      expect(collector.export().aggregated_errors[0]!.latest_errors[0]!.http_context).toEqual({
        request_method: 'POST',
        request_url: 'https://shop.example:8443/orders?id=7',
        request_headers: { host: 'shop.example:8443', authorization: REDACTED, 'content-type': 'application/json' },
        request_body: '{"item":"book","quantity":2}',
      });
    });

    it("prefers Express' originalUrl and protocol, and keeps a string body as it is", () => {
      const { collector } = collectorAt();
      collector.report(new Error('x'), {
        request: {
          method: 'PUT',
          url: '/7',
          originalUrl: '/api/orders/7',
          protocol: 'https',
          headers: { host: 'shop.example' },
          body: 'plain text',
        },
      });
      expect(collector.export().aggregated_errors[0]!.latest_errors[0]!.http_context).toMatchObject({
        request_url: 'https://shop.example/api/orders/7',
        request_body: 'plain text',
      });
    });

    it('leaves the body null when no body parser ran, and the URL a path without a Host header', () => {
      const { collector } = collectorAt();
      collector.report(new Error('x'), { request: { method: 'GET', url: '/health', headers: {} } });
      expect(collector.export().aggregated_errors[0]!.latest_errors[0]!.http_context).toEqual({
        request_method: 'GET',
        request_url: '/health',
        request_headers: {},
        request_body: null,
      });
    });

    it('cuts a very long body', () => {
      const { collector } = collectorAt();
      collector.report(new Error('x'), { request: { method: 'POST', url: '/', headers: {}, body: 'x'.repeat(200_000) } });
      const body = collector.export().aggregated_errors[0]!.latest_errors[0]!.http_context!.request_body!;
      expect(body.length).toBeLessThan(70_000);
      expect(body).toMatch(/…\[truncated\]$/);
    });

    it('leaves the http context null when there is none', () => {
      const { collector } = collectorAt();
      collector.report(new Error('x'));
      expect(collector.export().aggregated_errors[0]!.latest_errors[0]!.http_context).toBeNull();
    });

    it('defaults a missing body to null', () => {
      const { collector } = collectorAt();
      collector.report(new Error('x'), { httpContext: { method: 'GET', url: '/', headers: {} } });
      expect(collector.export().aggregated_errors[0]!.latest_errors[0]!.http_context!.request_body).toBeNull();
    });
  });

  describe('bounded memory', () => {
    it('forgets the least recently reported key beyond the limit', () => {
      const { collector } = collectorAt(START, { maxAggregates: 2 });
      collector.report(new Error('a'), { key: 'a' });
      collector.report(new Error('b'), { key: 'b' });
      collector.report(new Error('a'), { key: 'a' });
      collector.report(new Error('c'), { key: 'c' });
      expect(collector.export().aggregated_errors.map((aggregate) => aggregate.aggregation_key)).toEqual(['a', 'c']);
    });
  });

  describe('export', () => {
    it('has the scraped format with snake_case keys and RFC 3339 timestamps', () => {
      const { collector } = collectorAt();
      collector.report('oops', { key: 'k' });
      expect(collector.export()).toEqual({
        aggregated_errors: [
          {
            aggregation_key: 'k',
            total_count: 1,
            severity: 'error',
            created_at: '2024-01-02T03:04:05.678Z',
            latest_errors: [
              {
                error: { class: 'string', message: 'oops', stacktrace: [], cause: null },
                uuid: 'uuid-1',
                timestamp: '2024-01-02T03:04:05.678Z',
                severity: 'error',
                http_context: null,
              },
            ],
          },
        ],
        target_uuid: 'uuid-0',
      });
    });

    it('is what exportErrors returns', () => {
      const { collector } = collectorAt();
      collector.report('oops', { key: 'k' });
      expect(exportErrors(collector)).toEqual(collector.export());
    });

    it('keeps one target uuid per collector', () => {
      const { collector } = collectorAt();
      collector.report('a');
      const first = collector.export().target_uuid;
      collector.report('b');
      expect(collector.export().target_uuid).toBe(first);
      expect(new ErrorCollector().targetUuid).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('is detached from the collector state', () => {
      const { collector } = collectorAt();
      collector.report(new Error('x'), { key: 'k' });
      const exported = collector.export();
      exported.aggregated_errors[0]!.latest_errors[0]!.error.message = 'changed';
      expect(collector.export().aggregated_errors[0]!.latest_errors[0]!.error.message).toBe('x');
    });
  });
});
