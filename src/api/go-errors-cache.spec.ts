import { GoErrorsCache } from './go-errors-cache.js';

const text = (body: { bytes: Buffer } | null) => body?.bytes.toString() ?? null;

describe('GoErrorsCache', () => {
  it.each([
    ['serves the cached body at the same sequence', [['svc', 5], ['svc', 5]], ['svc@5', 'svc@5'], 1],
    ['rebuilds once the sequence moved', [['svc', 5], ['svc', 6], ['svc', 6]], ['svc@5', 'svc@6', 'svc@6'], 2],
    ['keeps services apart', [['a', 1], ['b', 1], ['a', 1]], ['a@1', 'b@1', 'a@1'], 2],
    ['does not remember an unknown service', [['nope', 1], ['nope', 1]], [null, null], 2],
  ] as const)('%s', async (_name, calls, bodies, builds) => {
    const cache = new GoErrorsCache();
    let built = 0;
    const got: (string | null)[] = [];
    for (const [service, seq] of calls) {
      got.push(text(await cache.body(service, seq, async () => (built++, service === 'nope' ? null : `${service}@${seq}`))));
    }
    expect(got).toEqual(bodies);
    expect(built).toBe(builds);
  });

  it('builds once for concurrent requests at the same sequence', async () => {
    const cache = new GoErrorsCache();
    let built = 0;
    const build = async () => (built++, 'body');
    const bodies = await Promise.all([cache.body('svc', 1, build), cache.body('svc', 1, build), cache.body('svc', 1, build)]);
    expect(bodies.map(text)).toEqual(['body', 'body', 'body']);
    expect(built).toBe(1);
  });

  it('keeps the ETag with the body and changes it with the bytes', async () => {
    const cache = new GoErrorsCache();
    const first = await cache.body('svc', 1, async () => 'one');
    expect((await cache.body('svc', 1, async () => 'other'))!.etag).toBe(first!.etag);
    const moved = await cache.body('svc', 2, async () => 'two');
    expect(moved!.etag).not.toBe(first!.etag);
    expect(moved!.etag).toMatch(/^"[\w-]+"$/);
  });

  it('does not keep a body that failed to build', async () => {
    const cache = new GoErrorsCache();
    await expect(cache.body('svc', 1, () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    expect(text(await cache.body('svc', 1, async () => 'fresh'))).toBe('fresh');
  });
});
