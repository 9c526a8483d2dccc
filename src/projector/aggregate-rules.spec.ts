import type { AggregatedErrorPayload, ErrorOccurrence } from '../scraper/payload.types.js';
import { applyReport, countDelta, mergeOccurrences, resolve, type AggregateState } from './aggregate-rules.js';
import { occurrence } from '../../test/support/error-occurrence.js';

function report(total: number, occurrences: ErrorOccurrence[] = [], extra: Partial<AggregatedErrorPayload> = {}): AggregatedErrorPayload {
  return { aggregation_key: 'k', total_count: total, severity: 'error', created_at: null, latest_errors: occurrences, ...extra };
}

describe('countDelta', () => {
  it.each([
    ['counts everything from a target seen for the first time', undefined, 5, 5],
    ['counts the growth since the last total', 5, 8, 3],
    ['counts nothing when the total did not change', 8, 8, 0],
    ['counts the whole total after a restart (counter reset)', 8, 3, 3],
    ['counts nothing from a restarted target that has not failed yet', 8, 0, 0],
  ])('%s', (_name, last, total, expected) => {
    expect(countDelta(last, total)).toBe(expected);
  });
});

describe('mergeOccurrences', () => {
  it.each([
    ['keeps newest first', [occurrence('a', 1)], [occurrence('b', 3), occurrence('c', 2)], ['b', 'c', 'a']],
    ['drops an occurrence already stored (same uuid, same time)', [occurrence('a', 1)], [occurrence('a', 1), occurrence('b', 2)], ['b', 'a']],
    ['drops one stored among others of the same time', [occurrence('a', 5), occurrence('b', 5), occurrence('c', 5)], [occurrence('b', 5), occurrence('a', 5)], ['a', 'b', 'c']],
    ['keeps stored order when nothing new arrives', [occurrence('b', 2), occurrence('a', 1)], [], ['b', 'a']],
    ['interleaves new occurrences between stored ones', [occurrence('d', 4), occurrence('b', 2)], [occurrence('a', 1), occurrence('c', 3), occurrence('e', 5)], ['e', 'd', 'c', 'b', 'a']],
    ['breaks timestamp ties by uuid', [occurrence('b', 1)], [occurrence('c', 1), occurrence('a', 1)], ['a', 'b', 'c']],
    ['drops a uuid repeated within the incoming list', [], [occurrence('a', 2), occurrence('a', 2)], ['a']],
    ['keeps a uuid reused at another time as another occurrence', [occurrence('a', 1)], [occurrence('a', 2)], ['a', 'a']],
  ])('%s', (_name, stored, incoming, uuids) => {
    expect(mergeOccurrences(stored, incoming).map((o) => o.uuid)).toEqual(uuids);
  });

  it('caps the list at 100 keeping the newest', () => {
    const many = Array.from({ length: 150 }, (_, i) => occurrence(`u${i}`, i));
    const merged = mergeOccurrences([], many);
    expect(merged).toHaveLength(100);
    expect(merged[0]!.uuid).toBe('u149');
    expect(merged[99]!.uuid).toBe('u50');
  });

  it('keeps the stored object of an occurrence sent again, and the first of one sent twice', () => {
    const stored = [occurrence('a', 5)];
    const [first, second] = [occurrence('b', 6), occurrence('b', 6)];
    const merged = mergeOccurrences(stored, [occurrence('a', 5), first, second]);
    expect(merged).toHaveLength(2);
    expect(merged[0]).toBe(first);
    expect(merged[1]).toBe(stored[0]);
  });

  it('gives the stored list back, unchanged, when nothing new goes in; never changes its inputs', () => {
    const stored = Array.from({ length: 100 }, (_, i) => occurrence(`s${i}`, 1000 - i));
    const incoming = [occurrence('too-old', 1), occurrence('s0', 1000)];
    expect(mergeOccurrences(stored, incoming)).toBe(stored);
    const arriving = [occurrence('z', 2000), occurrence('y', 3000)];
    const merged = mergeOccurrences(stored, arriving);
    expect(merged).not.toBe(stored);
    expect(stored.map((o) => o.uuid)).toEqual(Array.from({ length: 100 }, (_, i) => `s${i}`));
    expect(arriving.map((o) => o.uuid)).toEqual(['z', 'y']);
  });

  it('merges as inserting each arrival in turn would, over random lists', () => {
    // One by one: where it belongs (after equal times' earlier uuids), unless listed or past the cap.
    const oneByOne = (stored: ErrorOccurrence[], incoming: ErrorOccurrence[], cap: number) => {
      const list = stored.slice(0, cap);
      for (const o of incoming) {
        if (list.some((l) => l.uuid === o.uuid && l.timestamp === o.timestamp)) continue;
        const at = list.findIndex((l) => l.timestamp < o.timestamp || (l.timestamp === o.timestamp && l.uuid > o.uuid));
        list.splice(at < 0 ? list.length : at, 0, o);
        list.length = Math.min(list.length, cap);
      }
      return list;
    };
    let seed = 7;
    const random = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    const pick = () => occurrence(`u${random(12)}`, random(8));
    for (let round = 0; round < 500; round++) {
      const cap = 1 + random(10);
      const stored = mergeOccurrences([], Array.from({ length: random(14) }, pick), cap);
      const incoming = Array.from({ length: random(6) }, pick);
      expect(mergeOccurrences(stored, incoming, cap)).toEqual(oneByOne(stored, incoming, cap));
    }
  });

  it('caps a full stored list, dropping its oldest for newer arrivals', () => {
    const stored = Array.from({ length: 100 }, (_, i) => occurrence(`s${i}`, 1000 - i));
    const merged = mergeOccurrences(stored, [occurrence('new', 2000), occurrence('old', 1)]);
    expect(merged).toHaveLength(100);
    expect(merged[0]!.uuid).toBe('new');
    expect(merged[99]!.uuid).toBe('s98');
  });
});

describe('applyReport', () => {
  const base: AggregateState = {
    service: 's',
    aggregationKey: 'k',
    severity: 'warning',
    totalCount: 10,
    createdAt: 1_000,
    lastSeen: 5_000,
    resolvedAt: null,
    resolvedCount: null,
    reopenedAt: null,
    latestErrors: [occurrence('old', 5_000)],
  };

  it('creates the aggregate with the delta as its count', () => {
    const created = applyReport(undefined, 's', report(4, [occurrence('a', 2_000)]), 4, 9_000);
    expect(created).toMatchObject({ totalCount: 4, createdAt: 2_000, lastSeen: 2_000, severity: 'error', resolvedAt: null });
  });

  it('takes first seen from created_at when the client sends it', () => {
    expect(applyReport(undefined, 's', report(1, [occurrence('a', 2_000)], { created_at: 1_500 }), 1, 9_000).createdAt).toBe(1_500);
  });

  it('takes first seen from the snapshot time when the client sends no time at all', () => {
    expect(applyReport(undefined, 's', report(1), 1, 9_000).createdAt).toBe(9_000);
  });

  it.each([
    ['sums the delta into the total', report(3), 3, { totalCount: 13 }],
    ['keeps the earliest first-seen', report(3, [occurrence('a', 500)]), 3, { createdAt: 500, lastSeen: 5_000 }],
    ['moves last seen to the newest occurrence', report(3, [occurrence('a', 7_000)]), 3, { createdAt: 1_000, lastSeen: 7_000 }],
    ['takes the latest severity', report(0, [], { severity: 'info' }), 0, { severity: 'info' }],
  ])('%s', (_name, incoming, delta, expected) => {
    expect(applyReport(base, 's', incoming, delta, 9_000)).toMatchObject(expected);
  });

  it('does not change its input', () => {
    const before = structuredClone(base);
    applyReport(base, 's', report(3, [occurrence('a', 7_000)]), 3, 9_000);
    expect(base).toEqual(before);
  });

  it('keeps a resolved error hidden when a report brings no new occurrence', () => {
    const resolved = resolve(base, 6_000);
    expect(applyReport(resolved, 's', report(10, [occurrence('old', 5_000)]), 0, 9_000)).toMatchObject({
      resolvedAt: 6_000,
      resolvedCount: 10,
    });
  });

  it('reopens a resolved error when a new occurrence arrives (regression)', () => {
    const resolved = resolve(base, 6_000);
    expect(applyReport(resolved, 's', report(11, [occurrence('new', 8_000)]), 1, 9_000)).toMatchObject({
      resolvedAt: null,
      resolvedCount: null,
      reopenedAt: 9_000,
      totalCount: 11,
    });
  });
});

describe('resolve', () => {
  it('remembers the count at resolve time', () => {
    expect(resolve({ totalCount: 7, resolvedAt: null } as AggregateState, 100)).toMatchObject({
      resolvedAt: 100,
      resolvedCount: 7,
    });
  });

  it('keeps the first resolve time when resolved twice', () => {
    const once = resolve({ totalCount: 7, resolvedAt: null } as AggregateState, 100);
    expect(resolve(once, 200).resolvedAt).toBe(100);
  });
});
