import { jest } from '@jest/globals';
import { BatchesBehind, isCommittedLater } from './batches-behind.js';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('BatchesBehind', () => {
  it('acknowledges batches in order, even when a later one commits first', async () => {
    const acknowledged: number[] = [];
    const behind = new BatchesBehind(() => undefined);
    const first = deferred();
    const second = deferred();
    behind.add(1, 3, { committed: first.promise }, () => void acknowledged.push(3));
    behind.add(4, 6, { committed: second.promise }, () => void acknowledged.push(6));
    second.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(acknowledged).toEqual([]);
    first.resolve();
    expect(await behind.settle()).toBeNull();
    expect(acknowledged).toEqual([3, 6]);
  });

  it('reports the first failed batch to start again at, acknowledging neither it nor those after it', async () => {
    const acknowledged: number[] = [];
    let failures = 0;
    const behind = new BatchesBehind(() => failures++);
    const first = deferred();
    behind.add(1, 3, { committed: first.promise }, () => void acknowledged.push(3));
    behind.add(4, 6, { committed: Promise.resolve() }, () => void acknowledged.push(6));
    first.reject(new Error('write failed'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(behind.failure()).toEqual({ fromSeq: 1, error: new Error('write failed') });
    expect(failures).toBe(1);
    expect(await behind.settle()).toBe(1);
    expect(acknowledged).toEqual([]);
    expect(behind.failure()).toBeNull();
  });

  it('keeps going when an acknowledgement fails (a later one covers it)', async () => {
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const acknowledged: number[] = [];
      const behind = new BatchesBehind(() => undefined);
      behind.add(1, 3, { committed: Promise.resolve() }, () => Promise.reject(new Error('ack timed out')));
      behind.add(4, 6, { committed: Promise.resolve() }, () => void acknowledged.push(6));
      expect(await behind.settle()).toBeNull();
      expect(acknowledged).toEqual([6]);
      expect(logged).toHaveBeenCalledWith(expect.stringContaining('through seq 3'), expect.any(Error));
    } finally {
      logged.mockRestore();
    }
  });

  it.each([
    [{ committed: Promise.resolve() }, true],
    [undefined, false],
    [{ committed: 'yes' }, false],
    [null, false],
  ])('tells a handler result committed later apart (%p → %p)', (result, expected) => {
    expect(isCommittedLater(result)).toBe(expected);
  });
});
