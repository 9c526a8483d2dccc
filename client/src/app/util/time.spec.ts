import { absoluteTime, ageShort, relativeTime } from './time';

describe('time', () => {
  const now = Date.UTC(2024, 4, 1, 12, 0, 0);
  const s = now / 1000;

  it('says how long ago', () => {
    expect(relativeTime(s - 2, now)).toBe('just now');
    expect(relativeTime(s - 30, now)).toBe('30 seconds ago');
    expect(relativeTime(s - 180, now)).toBe('3 minutes ago');
    expect(relativeTime(s - 2 * 3600, now)).toBe('2 hours ago');
    expect(relativeTime(s - 86400, now)).toBe('yesterday');
    expect(relativeTime(null, now)).toBe('never');
  });

  it('formats absolute times in UTC', () => {
    expect(absoluteTime(s)).toBe('2024-05-01 12:00:00 UTC');
    expect(absoluteTime(null)).toBe('');
  });

  it('counts seconds since an update', () => {
    expect(ageShort(now - 4000, now)).toBe('4s ago');
    expect(ageShort(now - 125_000, now)).toBe('2m ago');
    expect(ageShort(null, now)).toBe('never');
  });
});
