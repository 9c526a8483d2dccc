import { rowGroups } from './sqlite-statements.js';

describe('rowGroups', () => {
  it.each([
    [0, 512, []],
    [1, 512, [1]],
    [3, 512, [2, 1]],
    [500, 512, [256, 128, 64, 32, 16, 4]],
    [512, 512, [512]],
    [1_030, 512, [512, 512, 4, 2]],
    [7, 4, [4, 2, 1]],
    [10, 6, [6, 4]],
  ])('%i values, at most %i a statement → %j', (count, widest, groups) => {
    expect(rowGroups(count, widest)).toEqual(groups);
  });

  it('covers every count exactly, with few distinct sizes', () => {
    const sizes = new Set<number>();
    for (let count = 0; count <= 2_000; count++) {
      const groups = rowGroups(count, 512);
      expect(groups.reduce((sum, size) => sum + size, 0)).toBe(count);
      for (const size of groups) sizes.add(size);
    }
    expect([...sizes].sort((a, b) => a - b)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512]);
  });
});
