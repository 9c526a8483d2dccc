import { SharedTexts } from '../memory/shared-texts.js';
import { recordedLengths } from './body-segments.js';
import { inspectBody, type KnownBody } from './inspect-body.js';
import { parseScrapedPayload } from './payload.js';
import type { KnownSegment } from './segmented-parse.js';
import { changedSince } from './snapshot-delta.js';

function occurrence(uuid: string) {
  return { error: { class: 'E', message: `m ${uuid}`, stacktrace: ['at f (a.js:1)'], cause: null }, uuid, timestamp: '2026-11-24T01:00:00Z' };
}

type Element = Record<string, unknown>;

/** Elements as periskop clients write them: key and total first, which makes their identity. */
function element(key: string, total: number, uuids: string[], extra: Element = {}): Element {
  return { aggregation_key: key, total_count: total, severity: 'warning', ...extra, latest_errors: uuids.map(occurrence) };
}

function body(elements: Element[], targetUuid = 't'): Buffer {
  return Buffer.from(JSON.stringify({ target_uuid: targetUuid, aggregated_errors: elements }));
}

function scraped(bytes: Buffer, known: KnownBody = {}) {
  const outcome = inspectBody(bytes, known);
  if (!outcome.ok || !outcome.payload) throw new Error(`unexpected ${JSON.stringify(outcome)}`);
  return outcome as typeof outcome & { payload: NonNullable<typeof outcome.payload> };
}

describe('PublishedTarget', () => {
  const texts = new SharedTexts();

  it.each([
    ['identities (key and total first)', [element('a', 1, ['u1']), element('b', 20, ['u2', 'u3'])]],
    ['digests of bytes (severity first)', [{ severity: 'info', aggregation_key: 'a', total_count: 1, latest_errors: [occurrence('u1')] }]],
    ['camelCase fields', [{ aggregationKey: 'a', totalCount: 2, latest_errors: [occurrence('u1')] }]],
    ['a created_at and no severity', [{ aggregation_key: 'a', total_count: 3, created_at: '2026-11-24T00:00:00Z', latest_errors: [] }]],
    ['keys that need escaping', [element('quote " and \\ back', 4, ['u1']), element('ключ\u2028', 5, ['u2'])]],
    ['a key written plainly beside one that needs escaping', [element('plain', 6, ['u1']), element('tab\there', 7, ['u2'])]],
    ['a key written plainly beside a digest of bytes', [element('plain', 8, ['u1']), { severity: 'info', aggregation_key: 'b', total_count: 9, latest_errors: [] }]],
  ])('unpacks what a scrape kept of %s as it was', (_case, elements) => {
    const first = scraped(body(elements));
    const { next } = changedSince(undefined, 't', first.payload, texts, first.segments, first.unparsedSeen);
    const unpacked = next.unpack();
    expect(unpacked.targetUuid).toBe('t');
    expect(unpacked.totals).toEqual(new Map(first.payload.aggregated_errors.map((e) => [e.aggregation_key, e.total_count])));
    // Headers as parseAggregatedError reads them (a camelCase field may come back snake_case).
    const segmentsRead = (segments: Iterable<KnownSegment>) => [...segments].map((s) => [s.digest, s.key, s.total, parseScrapedPayload({ aggregated_errors: [s.header] })]);
    expect(segmentsRead(unpacked.segments.values())).toEqual(segmentsRead(first.segments!));
    expect([...unpacked.seen.values()].map((fingerprints) => fingerprints.length)).toEqual(first.payload.aggregated_errors.map((e) => 6 * e.latest_errors.length));
    expect(next.lengths()).toEqual(recordedLengths(first.segments!.map((s) => s.digest)));
  });

  it('keeps no segments of a body parsed whole', () => {
    const payload = parseScrapedPayload(JSON.parse(body([element('a', 1, ['u1'])]).toString()));
    const { next } = changedSince(undefined, 't', payload, texts);
    expect(next.unpack().segments.size).toBe(0);
    expect(next.lengths().size).toBe(0);
  });

  it('makes the next scrape read only the occurrences not recorded yet', () => {
    const before = body([element('a', 1, ['u1']), element('b', 2, ['u2', 'u3']), element('c', 7, ['u7'])]);
    const after = body([element('a', 1, ['u1']), element('b', 3, ['u4', 'u2', 'u3']), element('c', 7, ['u7'])]);
    const first = scraped(before);
    const published = changedSince(undefined, 't', first.payload, texts, first.segments, first.unparsedSeen).next;
    const recorded = published.recorded();
    const second = scraped(after, { digest: first.digest, recorded });
    // a and c come from the record; of b, the occurrences recorded are known by fingerprint, unread.
    expect(second.payload.aggregated_errors.map((e) => [e.aggregation_key, e.total_count, e.severity, e.latest_errors.map((o) => o.uuid)])).toEqual([
      ['a', 1, 'warning', []],
      ['b', 3, 'warning', ['u4']],
      ['c', 7, 'warning', []],
    ]);
    expect(second.unparsedSeen?.map((fingerprints) => fingerprints.length)).toEqual([0, 12, 0]);
    const { changed } = changedSince(recorded.body(), 't', second.payload, texts, second.segments, second.unparsedSeen);
    expect(changed.map((e) => [e.aggregation_key, e.total_count, e.latest_errors.map((o) => o.uuid)])).toEqual([['b', 3, ['u4']]]);
  });

  it('unpacks once per scrape, and only when asked', () => {
    const first = scraped(body([element('a', 1, ['u1'])]));
    const recorded = changedSince(undefined, 't', first.payload, texts, first.segments).next.recorded();
    expect(recorded.body()).toBe(recorded.body());
  });

  it('holds one string per key for every target that reports it', () => {
    const keysOf = (targetUuid: string) => {
      const payload = scraped(body([element(`shared ${'k'.repeat(40)}`, 1, ['u1'])], targetUuid)).payload;
      return [...changedSince(undefined, targetUuid, payload, texts).next.unpack().totals.keys()];
    };
    expect(keysOf('t1')[0]).toBe(keysOf('t2')[0]);
  });
});
