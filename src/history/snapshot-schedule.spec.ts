import { snapshotAtOrBefore, snapshotDue, snapshotsToRemove } from './snapshot-schedule.js';
import type { SnapshotInfo } from './snapshot-store.js';

const snapshot = (seq: number, at: number): SnapshotInfo => ({ name: `s${seq}`, seq, at, bytes: 1 });
const three = [snapshot(100, 1_000), snapshot(200, 2_000), snapshot(300, 3_000)];

describe('snapshot schedule', () => {
  it.each([
    [0, 100, false],
    [99, 100, false],
    [100, 100, true],
    [250, 100, true],
    [1_000_000, 0, false],
  ])('after %i events with snapshot_every %i a snapshot is due: %s', (since, every, due) => {
    expect(snapshotDue(since, every)).toBe(due);
  });

  it.each([
    [1, [100, 200]],
    [2, [100]],
    [3, []],
    [10, []],
  ])('keeping %i removes %j', (kept, removed) => {
    expect(snapshotsToRemove(three, kept).map((s) => s.seq)).toEqual(removed);
  });

  it.each([
    [999, null],
    [1_000, 100],
    [2_500, 200],
    [10_000, 300],
  ])('a question about %i starts from the snapshot at seq %s', (at, seq) => {
    expect(snapshotAtOrBefore(three, at)?.seq ?? null).toBe(seq);
  });

  it('starts from the log when there is no snapshot', () => {
    expect(snapshotAtOrBefore([], 5_000)).toBeNull();
  });
});
