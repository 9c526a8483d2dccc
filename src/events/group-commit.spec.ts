import type { EncodedEvent } from './event-store.js';
import { GroupCommit } from './group-commit.js';

function item(id: string): EncodedEvent {
  return { id, type: 'ScrapeFailed', service: 's', data: new TextEncoder().encode(id) };
}

/** A log that records each group it is given and numbers events from 1. */
function recordingLog(fail: (ids: string[]) => boolean = () => false) {
  const groups: string[][] = [];
  let seq = 0;
  const publishMany = async (items: EncodedEvent[]) => {
    const ids = items.map((i) => i.id);
    groups.push(ids);
    if (fail(ids)) throw new Error(`log refused ${ids.join(',')}`);
    return items.map(() => ++seq);
  };
  return { groups, publishMany };
}

describe('GroupCommit', () => {
  it('writes events published together as one group, each caller getting its own sequence', async () => {
    const log = recordingLog();
    const commit = new GroupCommit(log.publishMany, { lingerMs: 5, maxEvents: 100 });
    const seqs = await Promise.all(['a', 'b', 'c'].map((id) => commit.publish(item(id))));
    expect(log.groups).toEqual([['a', 'b', 'c']]);
    expect(seqs).toEqual([1, 2, 3]);
  });

  it('writes a full group at once and the rest after, in publish order', async () => {
    const log = recordingLog();
    const commit = new GroupCommit(log.publishMany, { lingerMs: 60_000, maxEvents: 2 });
    const first = Promise.all([commit.publish(item('a')), commit.publish(item('b'))]);
    // maxEvents reached: written without waiting for the (one minute) linger.
    await expect(first).resolves.toEqual([1, 2]);
    const second = Promise.all([commit.publish(item('c')), commit.publish(item('d'))]);
    await expect(second).resolves.toEqual([3, 4]);
    expect(log.groups).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('fails every event of a group the log refuses, and only those', async () => {
    const log = recordingLog((ids) => ids.includes('bad'));
    const commit = new GroupCommit(log.publishMany, { lingerMs: 1, maxEvents: 2 });
    const outcomes = await Promise.allSettled(['ok', 'bad', 'later'].map((id) => commit.publish(item(id))));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect((outcomes[0] as PromiseRejectedResult).reason).toEqual(new Error('log refused ok,bad'));
    expect(log.groups).toEqual([['ok', 'bad'], ['later']]);
  });

  it('starts a group only once the one before it is written', async () => {
    const order: string[] = [];
    let releaseFirst!: () => void;
    const firstWritten = new Promise<void>((resolve) => (releaseFirst = resolve));
    const commit = new GroupCommit(
      async (items) => {
        order.push(`start ${items[0]!.id}`);
        if (items[0]!.id === 'a') await firstWritten;
        order.push(`end ${items[0]!.id}`);
        return items.map(() => 0);
      },
      { lingerMs: 0, maxEvents: 1 },
    );
    const a = commit.publish(item('a'));
    const b = commit.publish(item('b'));
    releaseFirst();
    await Promise.all([a, b]);
    expect(order).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it.each([
    [{ lingerMs: -1, maxEvents: 1 }],
    [{ lingerMs: 1, maxEvents: 0 }],
    [{ lingerMs: 1, maxEvents: 1.5 }],
  ])('rejects the options %j', (options) => {
    expect(() => new GroupCommit(async () => [], options)).toThrow(/GroupCommit: lingerMs must be ≥ 0 and maxEvents a positive integer/);
  });
});
