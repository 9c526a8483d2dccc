import { AppliedSeqMemo } from './applied-seq-memo.js';

/** A database whose sequence the test moves, counting the reads. */
function fixture() {
  const state = { seq: 1, reads: 0, time: 0 };
  const memo = new AppliedSeqMemo(async () => (state.reads++, state.seq), 250, () => state.time);
  return { state, memo };
}

describe('AppliedSeqMemo', () => {
  it.each([
    // [what, times (ms) of the reads, the sequence moving after each], database reads, values read
    ['reads once within the age', [0, 100, 249], 1, [1, 1, 1]],
    ['reads again once the age is reached', [0, 250], 2, [1, 2]],
  ] as const)('%s', async (_name, times, reads, values) => {
    const { state, memo } = fixture();
    const got: number[] = [];
    for (const time of times) {
      state.time = time;
      got.push(await memo.current());
      state.seq++;
    }
    expect(got).toEqual(values);
    expect(state.reads).toBe(reads);
  });

  it('reads again right after an invalidation', async () => {
    const { state, memo } = fixture();
    expect(await memo.current()).toBe(1);
    state.seq = 7;
    memo.invalidate();
    expect(await memo.current()).toBe(7);
    expect(state.reads).toBe(2);
  });

  it('shares one read between concurrent callers', async () => {
    const { state, memo } = fixture();
    expect(await Promise.all([memo.current(), memo.current(), memo.current()])).toEqual([1, 1, 1]);
    expect(state.reads).toBe(1);
  });

  it('does not remember a read that started before an invalidation', async () => {
    let release!: (seq: number) => void;
    let reads = 0;
    const memo = new AppliedSeqMemo(() => (reads++, reads === 1 ? new Promise<number>((resolve) => (release = resolve)) : Promise.resolve(9)), 250, () => 0);
    const early = memo.current();
    memo.invalidate();
    expect(await memo.current()).toBe(9);
    release(3);
    expect(await early).toBe(3);
    expect(await memo.current()).toBe(9);
    expect(reads).toBe(2);
  });

  it('reads every time, sharing nothing, with a max age of 0', async () => {
    let reads = 0;
    const memo = new AppliedSeqMemo(async () => ++reads, 0, () => 0);
    expect(await Promise.all([memo.current(), memo.current()])).toEqual([1, 2]);
    expect(await memo.current()).toBe(3);
  });

  it('does not remember a failed read', async () => {
    let fail = true;
    const memo = new AppliedSeqMemo(async () => {
      if (fail) throw new Error('database down');
      return 4;
    });
    await expect(memo.current()).rejects.toThrow('database down');
    fail = false;
    expect(await memo.current()).toBe(4);
  });
});
