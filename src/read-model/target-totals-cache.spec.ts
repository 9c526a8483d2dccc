import { targetCountId } from '../projector/record-ids.js';
import { TargetTotalsCache } from './target-totals-cache.js';

describe('TargetTotalsCache', () => {
  it.each([
    ['plain parts', 'api', 'uuid-1', 'key'],
    ['parts with digits and colons', '12:a', '3:b:', '4:c:d'],
    ['an empty key', 'api', 'uuid-1', ''],
    ['non-ASCII text', 'sérvice', 'üuid', 'ключ'],
  ])('gives back the total remembered for %s', (_, service, targetUuid, key) => {
    const cache = new TargetTotalsCache(10);
    cache.remember(targetCountId(service, targetUuid, key), 7);
    expect(cache.get(service, targetUuid, key)).toBe(7);
    expect(cache.size).toBe(1);
  });

  it('keeps the same key of two services, and of two targets, apart', () => {
    const cache = new TargetTotalsCache(10);
    cache.remember(targetCountId('a', 'u1', 'k'), 1);
    cache.remember(targetCountId('b', 'u1', 'k'), 2);
    cache.remember(targetCountId('a', 'u2', 'k'), 3);
    expect([cache.get('a', 'u1', 'k'), cache.get('b', 'u1', 'k'), cache.get('a', 'u2', 'k')]).toEqual([1, 2, 3]);
    expect(cache.get('b', 'u2', 'k')).toBeUndefined();
  });

  it('replaces a total without counting it twice', () => {
    const cache = new TargetTotalsCache(10);
    cache.remember(targetCountId('a', 'u1', 'k'), 1);
    cache.remember(targetCountId('a', 'u1', 'k'), 5);
    expect(cache.get('a', 'u1', 'k')).toBe(5);
    expect(cache.size).toBe(1);
  });

  it('drops the least recently used target whole past its bound, noting every id it held', () => {
    const cache = new TargetTotalsCache(3);
    const evicted = new Set<string>();
    cache.remember(targetCountId('a', 'old', 'k1'), 1, evicted);
    cache.remember(targetCountId('a', 'old', 'k2'), 2, evicted);
    cache.remember(targetCountId('a', 'new', 'k1'), 3, evicted);
    // Touching `old` again makes `new` the least recently used.
    cache.remember(targetCountId('a', 'old', 'k1'), 4, evicted);
    cache.remember(targetCountId('a', 'third', 'k1'), 5, evicted);
    expect(evicted).toEqual(new Set([targetCountId('a', 'new', 'k1')]));
    expect(cache.get('a', 'new', 'k1')).toBeUndefined();
    expect(cache.get('a', 'old', 'k1')).toBe(4);
    expect(cache.size).toBe(3);
    cache.remember(targetCountId('a', 'fourth', 'k1'), 6, evicted);
    expect(evicted).toEqual(new Set([targetCountId('a', 'new', 'k1'), targetCountId('a', 'old', 'k1'), targetCountId('a', 'old', 'k2')]));
    expect(cache.size).toBe(2);
  });

  it('forgets everything when cleared', () => {
    const cache = new TargetTotalsCache(10);
    cache.remember(targetCountId('a', 'u1', 'k'), 1);
    cache.clear();
    expect(cache.get('a', 'u1', 'k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
