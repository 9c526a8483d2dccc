import { targetTotalsId } from '../projector/record-ids.js';
import { TargetTotalsCache } from './target-totals-cache.js';

const totals = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('TargetTotalsCache', () => {
  it.each([
    ['plain parts', 'api', 'uuid-1', 'key'],
    ['parts with digits and colons', '12:a', '3:b:', '4:c:d'],
    ['an empty key', 'api', 'uuid-1', ''],
    ['non-ASCII text', 'sérvice', 'üuid', 'ключ'],
  ])('gives back the totals remembered for %s', (_, service, targetUuid, key) => {
    const cache = new TargetTotalsCache(10);
    cache.remember(targetTotalsId(service, targetUuid), totals({ [key]: 7 }));
    expect(cache.get(targetTotalsId(service, targetUuid))).toEqual(totals({ [key]: 7 }));
    expect(cache.size).toBe(1);
  });

  it('keeps a copy: the working set that handed its totals over may change them no more than anyone', () => {
    const cache = new TargetTotalsCache(10);
    const handed = totals({ k: 1 });
    cache.remember('t', handed);
    handed.set('k', 99);
    expect(cache.get('t')).toEqual(totals({ k: 1 }));
  });

  it('replaces a target without counting its totals twice', () => {
    const cache = new TargetTotalsCache(10);
    cache.remember('t', totals({ k: 1, l: 2 }));
    cache.remember('t', totals({ k: 5, l: 2, m: 1 }));
    expect(cache.get('t')).toEqual(totals({ k: 5, l: 2, m: 1 }));
    expect(cache.size).toBe(3);
  });

  it('drops the least recently used targets whole past its bound, noting their ids', () => {
    const cache = new TargetTotalsCache(3);
    const evicted = new Set<string>();
    cache.remember('old', totals({ k1: 1, k2: 2 }), evicted);
    cache.remember('new', totals({ k1: 3 }), evicted);
    // Remembering `old` again makes `new` the least recently used.
    cache.remember('old', totals({ k1: 4, k2: 2 }), evicted);
    cache.remember('third', totals({ k1: 5 }), evicted);
    expect(evicted).toEqual(new Set(['new']));
    expect(cache.get('new')).toBeUndefined();
    expect(cache.get('old')).toEqual(totals({ k1: 4, k2: 2 }));
    expect(cache.size).toBe(3);
    cache.remember('fourth', totals({ k1: 6 }), evicted);
    expect(evicted).toEqual(new Set(['new', 'old']));
    expect(cache.size).toBe(2);
  });

  it('drops a target alone larger than its bound at once, noting it', () => {
    const cache = new TargetTotalsCache(1);
    const evicted = new Set<string>();
    cache.remember('big', totals({ k1: 1, k2: 2 }), evicted);
    expect(cache.get('big')).toBeUndefined();
    expect(evicted).toEqual(new Set(['big']));
    expect(cache.size).toBe(0);
  });

  it('forgets everything when cleared', () => {
    const cache = new TargetTotalsCache(10);
    cache.remember('t', totals({ k: 1 }));
    cache.clear();
    expect(cache.get('t')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
