import { InvalidTime, parseAtParameter } from './at-parameter.js';

describe('the at parameter', () => {
  it.each([
    ['2026-11-23T22:00:00Z', Date.UTC(2026, 10, 23, 22)],
    ['2026-11-23t22:00:00z', Date.UTC(2026, 10, 23, 22)],
    ['2026-11-23T22:00:00.123456789Z', Date.UTC(2026, 10, 23, 22, 0, 0, 123)],
    ['2026-11-23T23:30:00+01:30', Date.UTC(2026, 10, 23, 22)],
    ['2026-11-23 22:00:00-00:00', Date.UTC(2026, 10, 23, 22)],
  ])('reads %s', (text, ms) => {
    expect(parseAtParameter(text)).toBe(ms);
  });

  it.each(['', 'yesterday', '1700000000', '2026-11-23', '2026-11-23T22:00:00', '2026-02-30T00:00:00Z', '2026-11-23T25:00:00Z'])(
    'refuses %j, naming the parameter',
    (text) => {
      expect(() => parseAtParameter(text)).toThrow(InvalidTime);
      expect(() => parseAtParameter(text)).toThrow(/^at: .* is not an RFC 3339 time/);
    },
  );
});
