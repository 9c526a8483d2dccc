import { SharedTexts } from './shared-texts.js';

describe('SharedTexts', () => {
  it.each([
    ['a plain key', 'TypeError@1a2b3c'],
    ['an empty text', ''],
    ['non-ASCII text', 'ключ – 鍵'],
    ['a lone surrogate', 'broken \ud800 key'],
  ])('gives back %s as it was, holding it once', (_case, text) => {
    const texts = new SharedTexts();
    expect(texts.of(text)).toBe(text);
    // An equal text built apart (another target's copy) is not held again.
    expect(texts.of(JSON.parse(JSON.stringify(text)) as string)).toBe(text);
    expect(texts.size).toBe(1);
  });

  it('starts sharing afresh past its bound instead of growing', () => {
    const texts = new SharedTexts(2);
    for (const text of ['a', 'b', 'c', 'd', 'e']) {
      expect(texts.of(text)).toBe(text);
      expect(texts.size).toBeLessThanOrEqual(2);
    }
  });
});
