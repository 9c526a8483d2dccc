import { acceptsGzip, noneMatchHits } from './conditional-request.js';

describe('noneMatchHits', () => {
  it.each([
    ['no header', undefined, false],
    ['the same tag', '"abc"', true],
    ['the gzip tag', '"abc-gzip"', true],
    ['another tag', '"xyz"', false],
    ['one of a list', '"xyz", "abc"', true],
    ['a weak tag of the same value', 'W/"abc"', true],
    ['any', '*', true],
    ['an unquoted tag', 'abc', false],
  ])('%s', (_name, header, hit) => {
    expect(noneMatchHits(header, ['"abc"', '"abc-gzip"'])).toBe(hit);
  });
});

describe('acceptsGzip', () => {
  it.each([
    ['no header', undefined, false],
    ['gzip', 'gzip', true],
    ['a browser list', 'gzip, deflate, br, zstd', true],
    ['identity only', 'identity', false],
    ['br only', 'br', false],
    ['gzip refused', 'gzip;q=0, br', false],
    ['gzip with a weight', 'br;q=1.0, gzip;q=0.5', true],
    ['any', '*', true],
    ['any but gzip', '*, gzip;q=0', false],
    ['upper case', 'GZIP', true],
    ['x-gzip', 'x-gzip', true],
    ['a broken q-value', 'gzip;q=x', false],
  ])('%s', (_name, header, accepted) => {
    expect(acceptsGzip(header)).toBe(accepted);
  });
});
