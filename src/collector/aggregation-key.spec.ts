import { aggregationKey, fnv1a32 } from './aggregation-key.js';

describe('fnv1a32', () => {
  // Published FNV-1a 32-bit test vectors (Landon Curt Noll's reference test suite).
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['b', 0xe70c2de5],
    ['foo', 0xa9f37ed7],
    ['foobar', 0xbf9cf968],
  ])('hashes %j to its published value', (text, expected) => {
    expect(fnv1a32(text)).toBe(expected);
  });

  it('hashes the UTF-8 bytes of non-ASCII text, as Go does with []byte(s)', () => {
    // "é" is the two bytes c3 a9; hashing them one by one must give the same result.
    const byByte = [0xc3, 0xa9].reduce((hash, byte) => Math.imul(hash ^ byte, 0x01000193) >>> 0, 0x811c9dc5);
    expect(fnv1a32('é')).toBe(byByte);
  });
});

describe('aggregationKey', () => {
  it('is the class and the hash of message plus stack head', () => {
    expect(aggregationKey('Error', 'foo', ['bar'])).toBe('Error@bf9cf968');
  });

  it('hashes only the first four stack lines', () => {
    const head = ['at a', 'at b', 'at c', 'at d'];
    expect(aggregationKey('Error', 'm', [...head, 'at e'])).toBe(aggregationKey('Error', 'm', head));
    expect(aggregationKey('Error', 'm', head)).not.toBe(aggregationKey('Error', 'm', head.slice(0, 3)));
  });

  it('tells different messages apart', () => {
    expect(aggregationKey('Error', 'a', [])).not.toBe(aggregationKey('Error', 'b', []));
  });

  it('writes the hash without zero padding, as periskop-go does (%x)', () => {
    // Find a message whose hash has a leading zero nibble: the key has 7 hex digits.
    let message = 0;
    while (fnv1a32(String(message)) >= 0x10000000) message += 1;
    expect(aggregationKey('E', String(message), [])).toMatch(/^E@[1-9a-f][0-9a-f]{6}$/);
  });
});
