import { HeldBytes } from './held-bytes.js';

/** What `held` hands over, as one string. */
function released(held: HeldBytes): string {
  let text = '';
  held.release((bytes, start, end) => (text += bytes.toString('latin1', start, end)));
  return text;
}

describe('HeldBytes', () => {
  it.each([
    ['hands back a few bytes', ['abc'], 'abc'],
    ['hands back pieces in order', ['ab', 'cd', 'ef'], 'abcdef'],
    ['hands back more than a block, across blocks', ['x'.repeat(100_000), 'y'.repeat(50_000)], `${'x'.repeat(100_000)}${'y'.repeat(50_000)}`],
    ['hands back nothing when nothing was held', [], ''],
  ])('%s', (_behaviour, pieces, expected) => {
    const held = new HeldBytes();
    for (const piece of pieces) {
      const source = Buffer.from(`--${piece}--`, 'latin1');
      held.hold(source, 2, source.length - 2);
      // The source is a read buffer: it is overwritten once held.
      source.fill(0);
    }
    expect(held.empty).toBe(pieces.length === 0);
    expect(held.bytes).toBe(expected.length);
    expect(released(held)).toBe(expected);
    expect(held.empty).toBe(true);
  });

  it('holds the next answer\'s bytes in blocks handed back, without the last one\'s', () => {
    const first = new HeldBytes();
    first.hold(Buffer.from('first answer'), 0, 12);
    expect(released(first)).toBe('first answer');
    const second = new HeldBytes();
    second.hold(Buffer.from('next'), 0, 4);
    expect(released(second)).toBe('next');
  });
});
