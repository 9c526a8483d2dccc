import { assignServiceShares, messagesByServiceToken, sharesOf } from './replay-shares.js';

describe('assignServiceShares', () => {
  it.each([
    { name: 'one worker takes everything', counts: { a: 5, b: 3 }, workers: 1, expected: { a: 0, b: 0 } },
    { name: 'largest first, each to the lightest worker', counts: { a: 10, b: 6, c: 5, d: 1 }, workers: 2, expected: { a: 0, b: 1, c: 1, d: 0 } },
    { name: 'ties broken by token', counts: { b: 4, a: 4, c: 4 }, workers: 2, expected: { a: 0, b: 1, c: 0 } },
    { name: 'more workers than services', counts: { a: 1, b: 2 }, workers: 4, expected: { b: 0, a: 1 } },
    { name: 'no services', counts: {}, workers: 2, expected: {} },
  ])('$name', ({ counts, workers, expected }) => {
    expect(Object.fromEntries(assignServiceShares(new Map(Object.entries(counts)), workers))).toEqual(expected);
  });
});

describe('messagesByServiceToken', () => {
  it.each([
    { name: 'tails that are tokens', tails: { svc: 3, other: 1 }, expected: { svc: 3, other: 1 } },
    { name: 'partitioned tails summed by their last token', tails: { 'SnapshotScraped.svc': 3, 'chunk.svc': 2, 'ScrapeFailed.x': 1 }, expected: { svc: 5, x: 1 } },
  ])('$name', ({ tails, expected }) => {
    expect(Object.fromEntries(messagesByServiceToken(new Map(Object.entries(tails))))).toEqual(expected);
  });
});

describe('sharesOf', () => {
  it.each([
    { worker: 0, expected: ['a', 'c'] },
    { worker: 1, expected: ['b'] },
    { worker: 2, expected: [] },
  ])('worker $worker', ({ worker, expected }) => {
    expect(sharesOf(new Map([['a', 0], ['b', 1], ['c', 0]]), worker)).toEqual(expected);
  });
});
