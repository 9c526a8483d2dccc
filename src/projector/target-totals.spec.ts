import { allTotals, lastTotal, targetTotals } from './target-totals.js';

describe('a target totals of a working set', () => {
  it('reads a key through to what committed until the working set sets it, and leaves what committed as it was', () => {
    const committed = new Map([['k', 2], ['l', 0]]);
    const totals = targetTotals(committed);
    expect([lastTotal(totals, 'k'), lastTotal(totals, 'l'), lastTotal(totals, 'new')]).toEqual([2, 0, undefined]);
    totals.updated.set('k', 5);
    totals.updated.set('new', 1);
    totals.updated.set('l', 0);
    expect([lastTotal(totals, 'k'), lastTotal(totals, 'l'), lastTotal(totals, 'new')]).toEqual([5, 0, 1]);
    expect(committed).toEqual(new Map([['k', 2], ['l', 0]]));
  });

  it('lists every key once, the committed ones first in their order, with its last total', () => {
    const totals = targetTotals(new Map([['b', 1], ['a', 2], ['c', 3]]));
    totals.updated.set('z', 9);
    totals.updated.set('a', 4);
    expect([...allTotals(totals)]).toEqual([['b', 1], ['a', 4], ['c', 3], ['z', 9]]);
    expect([...allTotals(targetTotals())]).toEqual([]);
  });
});
