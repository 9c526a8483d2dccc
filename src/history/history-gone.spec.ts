import { assertLogHoldsAfter, HistoryGone } from './history-gone.js';

describe('whether the log still holds what an answer needs', () => {
  it.each([
    [0, 0],
    [0, 1],
    [10, 11],
    [10, 5],
  ])('from the snapshot at %i with the oldest message at %i: yes', (fromSeq, oldest) => {
    expect(() => assertLogHoldsAfter(fromSeq, oldest, () => 'x')).not.toThrow();
  });

  it.each([
    [0, 2, 'x needs the event log from sequence 1, but it starts at 2 now (retention dropped the older messages and no snapshot kept is old enough)'],
    [10, 12, 'x needs the event log from sequence 11, but it starts at 12 now (retention dropped the older messages)'],
  ])('from the snapshot at %i with the oldest message at %i: no', (fromSeq, oldest, message) => {
    expect(() => assertLogHoldsAfter(fromSeq, oldest, () => 'x')).toThrow(new HistoryGone(message));
  });
});
