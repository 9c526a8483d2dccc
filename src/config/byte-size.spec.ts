import { parseByteSize } from './byte-size.js';

describe('parseByteSize', () => {
  it.each([
    ['16MiB', 16 * 1024 * 1024],
    ['512KiB', 512 * 1024],
    ['1MB', 1_000_000],
    ['1kB', 1_000],
    ['10GiB', 10 * 2 ** 30],
    ['1.5KiB', 1_536],
    ['1048576', 1_048_576],
    ['100B', 100],
    ['2 mib', 2 * 2 ** 20],
  ])('reads %s as %d bytes', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(['', 'MiB', '16XB', '-1MiB', '1,5MB', 'lots'])('refuses %j', (text) => {
    expect(() => parseByteSize(text)).toThrow('is not a size (examples: 16MiB, 512KiB, 1MB, 1048576)');
  });
});
