import type { PeriskopEvent } from '../events/events.js';
import { DEFAULT_PROJECTION_OPTIONS } from './projection-options.js';
import { apply, emptyProjectionState, type ProjectionState } from './projection.js';
import { bucketId } from './record-ids.js';
import { aggregateId, parseBucketId } from './record-ids.js';
import { dropExpiredBuckets, mergeChanges, takeChangedBuckets, takeChanges } from './share-fold.js';

const MINUTE = 60_000;
const options = { ...DEFAULT_PROJECTION_OPTIONS, breakdownLabels: new Map([['s1', ['zone']]]) };

function scraped(service: string, target: string, key: string, total: number, at: number): PeriskopEvent {
  return {
    type: 'SnapshotScraped',
    version: 1,
    service,
    at,
    data: {
      target: `http://${target}/errors`,
      target_uuid: target,
      source: 'scrape',
      aggregated_errors: [
        { aggregation_key: key, total_count: total, severity: 'error', created_at: null, latest_errors: [{ uuid: `${key}-${total}`, timestamp: at, severity: 'error', error: { class: 'E', message: 'm', stacktrace: [], cause: null }, http_context: null }] },
      ],
    },
  };
}

const discovered: PeriskopEvent = {
  type: 'TargetsDiscovered',
  version: 1,
  service: 's1',
  at: 0,
  data: { targets: ['a', 'b'].map((t) => ({ address: t, url: `http://${t}/errors`, labels: { zone: t } })) },
};

function fold(events: PeriskopEvent[], state = emptyProjectionState(options)): ProjectionState {
  for (const event of events) apply(state, event);
  return state;
}

/** A serial fold's records and notes of change, comparable with toEqual. */
function view(state: ProjectionState) {
  const changed = Object.fromEntries(Object.entries(state.changed).map(([kind, ids]) => [kind, [...ids].sort()]));
  return { changed, newestAt: state.newestAt, services: [...state.services].sort(), aggregates: state.aggregates, targetTotals: state.targetTotals, buckets: state.buckets, breakdown: state.breakdown };
}

describe('takeChanges and mergeChanges', () => {
  const s1 = [discovered, scraped('s1', 'a', 'K', 2, 10 * MINUTE), scraped('s1', 'b', 'K', 1, 11 * MINUTE)];
  const s2 = [scraped('s2', 'c', 'K', 5, 12 * MINUTE), scraped('s2', 'c', 'L', 1, 9 * MINUTE)];

  it('merges two shares into what one fold of both makes', () => {
    const merged = mergeChanges([takeChanges(fold(s1)), takeChanges(fold(s2))], options);
    const serial = fold([...s1, ...s2]);
    expect(view(merged)).toEqual(view(serial));
    expect([...merged.targets.get('s1')!.keys()]).toEqual(['http://a/errors', 'http://b/errors']);
  });

  it('hands over only what changed since the last hand-over, with every value of an error whose value changed', () => {
    const state = fold(s1);
    takeChanges(state);
    expect(Object.values(state.changed).every((ids) => ids.size === 0)).toBe(true);
    expect(state.newestAt).toBeNull();
    apply(state, scraped('s1', 'a', 'K', 3, 13 * MINUTE));
    const changes = takeChanges(state);
    expect([...changes.aggregates.keys()]).toEqual([aggregateId('s1', 'K')]);
    expect(changes.changedBreakdown).toHaveLength(1);
    expect([...changes.breakdown.values()].map((c) => [c.value, c.count])).toEqual([
      ['a', 3],
      ['b', 1],
    ]);
    expect(changes.newestAt).toBe(13 * MINUTE);
    expect(changes.services).toEqual([]);
  });
});

describe('takeChangedBuckets', () => {
  it.each([
    { name: 'nothing folded since', after: [], taken: [] },
    { name: 'a bucket counted again is taken again, with its whole count', after: [scraped('s1', 'a', 'K', 4, 10 * MINUTE + 1)], taken: [['1m', 10, 4], ['1h', 0, 5]] },
    { name: 'a new minute', after: [scraped('s1', 'b', 'K', 2, 20 * MINUTE)], taken: [['1m', 20, 1], ['1h', 0, 4]] },
  ])('$name', ({ after, taken }) => {
    const state = fold([discovered, scraped('s1', 'a', 'K', 2, 10 * MINUTE), scraped('s1', 'b', 'K', 1, 11 * MINUTE)]);
    expect(takeChangedBuckets(state).size).toBe(3);
    fold(after, state);
    const buckets = takeChangedBuckets(state);
    const counts = [...buckets].map(([id, count]) => {
      const { step, start } = parseBucketId(id);
      return [step, start / MINUTE, count];
    });
    expect(counts).toEqual(taken);
    expect(state.changed.buckets.size).toBe(0);
    // The rest of the changes are still there to hand over.
    expect(state.changed.aggregates.size).toBe(1);
  });
});

describe('dropExpiredBuckets', () => {
  it.each([
    { name: 'keeps every bucket within retention', newestAt: 60 * MINUTE, kept: ['1m 10', '1m 50', '1h 0'] },
    { name: 'drops minute buckets older than retention', newestAt: 60 * MINUTE + 48 * 3_600_000 - 20 * MINUTE, kept: ['1m 50', '1h 0'] },
  ])('$name', ({ newestAt, kept }) => {
    const state = emptyProjectionState(options);
    for (const [step, minute] of [['1m', 10], ['1m', 50], ['1h', 0]] as const) state.buckets.set(bucketId('s', 'K', step, minute * MINUTE), 1);
    dropExpiredBuckets(state, newestAt);
    expect([...state.buckets.keys()].map(parseBucketId).map(({ step, start }) => `${step} ${start / MINUTE}`)).toEqual(kept);
  });
});
