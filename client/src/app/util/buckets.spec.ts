import { bucketTime, chartRange, fillBuckets } from './buckets';

describe('occurrence buckets', () => {
  const now = Date.UTC(2024, 4, 1, 12, 30, 20); // 2024-05-01 12:30:20 UTC

  it('ends the range in the bucket holding now: 168 hours, or 360 minutes', () => {
    const hours = chartRange('1h', now);
    expect(hours).toEqual({ step: '1h', from: Date.UTC(2024, 3, 24, 13) / 1000, to: now / 1000, buckets: 168 });
    const minutes = chartRange('1m', now);
    expect(minutes).toEqual({ step: '1m', from: Date.UTC(2024, 4, 1, 6, 31) / 1000, to: now / 1000, buckets: 360 });
  });

  it('fills the buckets the server left out with zeros, oldest first', () => {
    const range = { step: '1m' as const, from: 1_700_000_040, buckets: 5 };
    expect(fillBuckets([{ t: 1_700_000_100, count: 3 }, { t: 1_700_000_220, count: 1 }], range)).toEqual([
      { t: 1_700_000_040, count: 0 },
      { t: 1_700_000_100, count: 3 },
      { t: 1_700_000_160, count: 0 },
      { t: 1_700_000_220, count: 1 },
      { t: 1_700_000_280, count: 0 },
    ]);
  });

  it('leaves out points outside the range and adds up points inside one bucket', () => {
    const range = { step: '1h' as const, from: 7200, buckets: 2 };
    expect(fillBuckets([{ t: 0, count: 9 }, { t: 7200, count: 1 }, { t: 7260, count: 2 }, { t: 14_400, count: 9 }], range)).toEqual([
      { t: 7200, count: 3 },
      { t: 10_800, count: 0 },
    ]);
    expect(fillBuckets([], range).map((b) => b.count)).toEqual([0, 0]);
  });

  it('formats a bucket start in UTC to the minute', () => {
    expect(bucketTime(Date.UTC(2024, 4, 1, 13, 4) / 1000)).toBe('2024-05-01 13:04 UTC');
  });
});
