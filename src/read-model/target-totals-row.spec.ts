import { targetTotals } from '../projector/target-totals.js';
import { totalsOfText, totalsText } from './target-totals-row.js';

describe('a target_totals row', () => {
  it.each<[string, [string, number][]]>([
    ['no key', []],
    ['plain keys', [['java.lang.IllegalStateException@1', 3], ['other', 0]]],
    ['keys that look like numbers (an object orders those first)', [['b', 1], ['10', 2], ['a', 3]]],
    ['keys an object would treat specially', [['__proto__', 1], ['constructor', 2], ['toString', 3]]],
    ['escapes and non-ASCII', [['"quoted"\n\\', 4], ['ключ ✓', 5], ['', 6]]],
    ['totals past 2^32', [['k', 2 ** 40]]],
  ])('gives back the totals of %s', (_, entries) => {
    const totals = new Map(entries);
    expect(totalsOfText(totalsText(targetTotals(totals)), 'row')).toEqual(totals);
  });

  it.each<[string, string, string]>([
    ['text that is not JSON', '{"k":', 'target_totals x: totals are not JSON'],
    ['a list', '[1]', 'target_totals x: totals are not a JSON object of totals by aggregation key'],
    ['null', 'null', 'target_totals x: totals are not a JSON object'],
    ['a total that is text', '{"k":"3"}', 'target_totals x: the total of "k" is "3", not a count'],
    ['a negative total', '{"k":-1}', 'the total of "k" is -1, not a count'],
    ['a fractional total', '{"k":1.5}', 'the total of "k" is 1.5, not a count'],
  ])('rejects %s, naming the row and the key', (_, text, message) => {
    expect(() => totalsOfText(text, 'target_totals x')).toThrow(message);
  });
});
