import { GoErrorsCache } from './go-errors-cache.js';

describe('GoErrorsCache', () => {
  it.each([
    ['serves the cached body at the same sequence', [['svc', 5], ['svc', 5]], ['svc@5', 'svc@5'], 1],
    ['rebuilds once the sequence moved', [['svc', 5], ['svc', 6], ['svc', 6]], ['svc@5', 'svc@6', 'svc@6'], 2],
    ['keeps services apart', [['a', 1], ['b', 1], ['a', 1]], ['a@1', 'b@1', 'a@1'], 2],
  ] as const)('%s', async (_name, calls, bodies, builds) => {
    const cache = new GoErrorsCache();
    let built = 0;
    const got: string[] = [];
    for (const [service, seq] of calls) {
      got.push(await cache.body(service, seq, async () => (built++, `${service}@${seq}`)));
    }
    expect(got).toEqual(bodies);
    expect(built).toBe(builds);
  });

  it('does not keep a body that failed to build', async () => {
    const cache = new GoErrorsCache();
    await expect(cache.body('svc', 1, () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    expect(await cache.body('svc', 1, async () => 'fresh')).toBe('fresh');
  });
});
