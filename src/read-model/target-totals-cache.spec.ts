import { targetTotalsId } from '../projector/record-ids.js';
import { targetTotals, type TargetTotals } from '../projector/target-totals.js';
import { TargetTotalsCache } from './target-totals-cache.js';

/** Totals a working set set on a target met first. */
function set(entries: Record<string, number>, committed?: ReadonlyMap<string, number>): TargetTotals {
  const totals = targetTotals(committed);
  for (const [key, total] of Object.entries(entries)) totals.updated.set(key, total);
  return totals;
}

const map = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('TargetTotalsCache', () => {
  it.each([
    ['plain parts', 'api', 'uuid-1', 'key'],
    ['parts with digits and colons', '12:a', '3:b:', '4:c:d'],
    ['an empty key', 'api', 'uuid-1', ''],
    ['non-ASCII text', 'sérvice', 'üuid', 'ключ'],
  ])('gives back the totals remembered for %s', (_, service, targetUuid, key) => {
    const cache = new TargetTotalsCache(10);
    cache.remember(targetTotalsId(service, targetUuid), set({ [key]: 7 }));
    expect(cache.get(targetTotalsId(service, targetUuid))).toEqual(map({ [key]: 7 }));
    expect(cache.size).toBe(1);
  });

  it('takes what a working set that read through to its totals set, keeping the keys it did not set', () => {
    const cache = new TargetTotalsCache(10);
    cache.remember('t', set({ k: 1, l: 2 }));
    cache.remember('t', set({ k: 5, m: 1 }, cache.get('t')));
    expect(cache.get('t')).toEqual(map({ k: 5, l: 2, m: 1 }));
    expect(cache.size).toBe(3);
  });

  it('takes a target read back from the database whole, in place of what it held', () => {
    const cache = new TargetTotalsCache(10);
    cache.remember('t', set({ k: 1, old: 2 }));
    const readBack = set({ k: 3 }, map({ k: 2, l: 4 }));
    cache.remember('t', readBack);
    expect(cache.get('t')).toEqual(map({ k: 3, l: 4 }));
    expect(cache.size).toBe(2);
    // A copy: what the working set read is not what the cache now changes.
    cache.remember('t', set({ l: 9 }, cache.get('t')));
    expect(readBack.committed).toEqual(map({ k: 2, l: 4 }));
  });

  it('drops the least recently used targets whole past its bound, noting their ids', () => {
    const cache = new TargetTotalsCache(3);
    const evicted = new Set<string>();
    cache.remember('old', set({ k1: 1, k2: 2 }), evicted);
    cache.remember('new', set({ k1: 3 }), evicted);
    // Remembering `old` again makes `new` the least recently used.
    cache.remember('old', set({ k1: 4 }, cache.get('old')), evicted);
    cache.remember('third', set({ k1: 5 }), evicted);
    expect(evicted).toEqual(new Set(['new']));
    expect(cache.get('new')).toBeUndefined();
    expect(cache.get('old')).toEqual(map({ k1: 4, k2: 2 }));
    expect(cache.size).toBe(3);
    cache.remember('fourth', set({ k1: 6 }), evicted);
    expect(evicted).toEqual(new Set(['new', 'old']));
    expect(cache.size).toBe(2);
  });

  it('drops a target alone larger than its bound at once, noting it', () => {
    const cache = new TargetTotalsCache(1);
    const evicted = new Set<string>();
    cache.remember('big', set({ k1: 1, k2: 2 }), evicted);
    expect(cache.get('big')).toBeUndefined();
    expect(evicted).toEqual(new Set(['big']));
    expect(cache.size).toBe(0);
  });

  it('forgets everything when cleared', () => {
    const cache = new TargetTotalsCache(10);
    cache.remember('t', set({ k: 1 }));
    cache.clear();
    expect(cache.get('t')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
