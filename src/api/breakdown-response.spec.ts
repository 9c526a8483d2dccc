import type { BreakdownCount } from '../projector/breakdown.js';
import { breakdownResponse, hourlySparkline } from './breakdown-response.js';

function count(label: string, value: string, n: number, firstSeen: number): BreakdownCount {
  return { service: 's', aggregationKey: 'k', label, value, count: n, firstSeen };
}

describe('breakdownResponse', () => {
  it.each<[string, string[], BreakdownCount[], unknown]>([
    ['answers every configured label, empty while it has no value', ['version', 'zone'], [], { version: {}, zone: {}, __first_seen__: { version: {}, zone: {} } }],
    [
      'puts counts by label and value, first seen in Unix seconds beside them',
      ['version'],
      [count('version', '1.5.0', 3, 2_000_999), count('version', '1.4.2', 17, 1_000_000)],
      { version: { '1.4.2': 17, '1.5.0': 3 }, __first_seen__: { version: { '1.4.2': 1_000, '1.5.0': 2_000 } } },
    ],
    [
      'keeps values of a label no longer configured (until a replay)',
      [],
      [count('zone', 'eu', 1, 5_000)],
      { zone: { eu: 1 }, __first_seen__: { zone: { eu: 5 } } },
    ],
  ])('%s', (_name, labels, counts, expected) => {
    expect(breakdownResponse(labels, counts)).toEqual(expected);
  });

  it('orders values by count, largest first', () => {
    const answer = breakdownResponse(['version'], [count('version', 'a', 1, 0), count('version', 'b', 5, 0)]);
    expect(Object.keys(answer.version!)).toEqual(['b', 'a']);
  });
});

describe('hourlySparkline', () => {
  const hour = 3_600_000;
  const now = 100 * hour + 1_234;
  it.each<[string, { t: number; count: number }[], number[]]>([
    ['is all zeros without occurrences', [], [0, 0, 0]],
    ['puts each bucket at its hour, the current hour last', [{ t: 98 * hour, count: 2 }, { t: 100 * hour, count: 5 }], [2, 0, 5]],
    ['leaves out buckets outside the window', [{ t: 97 * hour, count: 9 }, { t: 101 * hour, count: 9 }], [0, 0, 0]],
  ])('%s', (_name, buckets, expected) => {
    expect(hourlySparkline(buckets, now, 3)).toEqual(expected);
  });
});
