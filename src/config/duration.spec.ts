import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['10s', 10_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1h', 3_600_000],
    ['2h45m', 9_900_000],
    ['1.5s', 1_500],
    ['.5s', 500],
    ['300us', 0.3],
    ['300µs', 0.3],
    ['300μs', 0.3],
    ['1500000ns', 1.5],
    ['0.1h', 360_000],
    ['1d', 86_400_000],
    ['2w', 1_209_600_000],
    ['1y', 31_536_000_000],
    ['1y2w3d', 31_536_000_000 + 1_209_600_000 + 259_200_000],
    ['0', 0],
    ['0s', 0],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['10x', 'is not a duration (examples: 10s, 1m30s, 500ms)'],
    ['', 'is not a duration'],
    ['s', 'is not a duration'],
    ['1.5.3s', 'is not a duration'],
    ['10 s', 'is not a duration'],
    ['1e3s', 'is not a duration'],
    ['-1s', 'must not be negative'],
    ['10', 'needs a unit, e.g. "10s"'],
    ['1.5', 'needs a unit'],
  ])('refuses %j', (text, message) => {
    expect(() => parseDuration(text)).toThrow(message);
  });
});
