import type { PeriskopEvent, SnapshotScrapedV1 } from '../events/events.js';
import { breakdownAggregatesNeeded, breakdownId } from './breakdown.js';
import { DEFAULT_PROJECTION_OPTIONS, type ProjectionOptions } from './projection-options.js';
import { apply, emptyProjectionState, type ProjectionState } from './projection.js';
import { aggregateId } from './record-ids.js';
import { occurrence } from '../../test/support/error-occurrence.js';

const at = 1_700_000_000_000;
const options: ProjectionOptions = { ...DEFAULT_PROJECTION_OPTIONS, breakdownLabels: new Map([['svc', ['version', 'zone']]]) };

function discovered(labels: Record<string, Record<string, string>>): PeriskopEvent {
  return {
    type: 'TargetsDiscovered',
    version: 1,
    service: 'svc',
    at,
    data: { targets: Object.entries(labels).map(([url, l]) => ({ address: url, url, labels: l })) },
  };
}

function snapshot(target: string, uuid: string, total: number, extra: { at?: number; oldest?: number; source?: 'scrape' | 'push' } = {}): SnapshotScrapedV1 {
  return {
    type: 'SnapshotScraped',
    version: 1,
    service: 'svc',
    at: extra.at ?? at,
    data: {
      target,
      target_uuid: uuid,
      source: extra.source ?? 'scrape',
      aggregated_errors: [
        {
          aggregation_key: 'k',
          total_count: total,
          severity: 'error',
          created_at: null,
          latest_errors: extra.oldest === undefined ? [] : [occurrence(`u${extra.oldest}`, extra.oldest)],
        },
      ],
    },
  };
}

const resolved: PeriskopEvent = { type: 'ErrorResolved', version: 1, service: 'svc', at, data: { aggregation_key: 'k' } };
const twoVersions = discovered({ a: { version: '1.0', zone: 'eu' }, b: { version: '2.0', zone: 'eu' } });

function project(events: PeriskopEvent[], with_ = options): ProjectionState {
  const state = emptyProjectionState(with_);
  for (const event of events) apply(state, event);
  return state;
}

/** label → value → count, as the API answers it. */
function counts(state: ProjectionState): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const b of state.breakdown.values()) (out[b.label] ??= {})[b.value] = b.count;
  return out;
}

describe('breakdown by target labels', () => {
  it.each<[string, PeriskopEvent[], Record<string, Record<string, number>>]>([
    ['counts each target under its label values', [twoVersions, snapshot('a', 'A', 17), snapshot('b', 'B', 3)], { version: { '1.0': 17, '2.0': 3 }, zone: { eu: 20 } }],
    ['counts only the growth of a target scraped again', [twoVersions, snapshot('a', 'A', 2), snapshot('a', 'A', 5)], { version: { '1.0': 5 }, zone: { eu: 5 } }],
    ['counts the whole total after a counter reset', [twoVersions, snapshot('a', 'A', 5), snapshot('a', 'A', 2)], { version: { '1.0': 7 }, zone: { eu: 7 } }],
    ['keeps counting through resolve and reopen', [twoVersions, snapshot('a', 'A', 2), resolved, snapshot('a', 'A', 2), snapshot('a', 'A', 4)], { version: { '1.0': 4 }, zone: { eu: 4 } }],
    [
      'counts growth after relabeling under the new value',
      [discovered({ a: { version: '1.0' } }), snapshot('a', 'A', 5), discovered({ a: { version: '2.0' } }), snapshot('a', 'A', 8)],
      { version: { '1.0': 5, '2.0': 3 } },
    ],
    ['leaves out a label the target does not carry', [discovered({ a: { zone: 'us' } }), snapshot('a', 'A', 4)], { zone: { us: 4 } }],
    ['leaves out a target discovery no longer lists', [discovered({ b: { version: '2.0' } }), snapshot('a', 'A', 4)], {}],
    ['leaves out pushed snapshots (no target labels)', [twoVersions, snapshot('a', 'A', 4, { source: 'push' })], {}],
    ['counts nothing when the total did not grow', [twoVersions, snapshot('a', 'A', 0)], {}],
  ])('%s', (_name, events, expected) => {
    expect(counts(project(events))).toEqual(expected);
  });

  it('counts nothing for a service without breakdown_labels, while the total still counts', () => {
    const state = project([twoVersions, snapshot('a', 'A', 4)], DEFAULT_PROJECTION_OPTIONS);
    expect(state.breakdown.size).toBe(0);
    expect(state.aggregates.get(aggregateId('svc', 'k'))?.totalCount).toBe(4);
  });

  it('keeps the earliest first seen per value, a late snapshot included', () => {
    const state = project([
      twoVersions,
      snapshot('b', 'B', 1, { at: at + 60_000 }),
      snapshot('a', 'A', 1, { at: at + 120_000 }),
      snapshot('a', 'A', 2, { at: at + 180_000, oldest: at - 30_000 }),
    ]);
    expect(state.breakdown.get(breakdownId('svc', 'k', 'version', '2.0'))?.firstSeen).toBe(at + 60_000);
    expect(state.breakdown.get(breakdownId('svc', 'k', 'version', '1.0'))?.firstSeen).toBe(at - 30_000);
    expect(state.breakdown.get(breakdownId('svc', 'k', 'zone', 'eu'))?.firstSeen).toBe(at - 30_000);
  });

  it('notes what changed for the commit', () => {
    const state = project([twoVersions, snapshot('a', 'A', 1)]);
    expect([...state.changed.breakdown].sort()).toEqual([breakdownId('svc', 'k', 'version', '1.0'), breakdownId('svc', 'k', 'zone', 'eu')]);
  });
});

describe('breakdownAggregatesNeeded', () => {
  it.each<[string, PeriskopEvent[], { service: string; key: string }[]]>([
    ['asks for the errors of scraped snapshots', [snapshot('a', 'A', 1)], [{ service: 'svc', key: 'k' }]],
    ['skips pushed snapshots', [snapshot('a', 'A', 1, { source: 'push' })], []],
    ['skips other events', [twoVersions, resolved], []],
  ])('%s', (_name, events, expected) => {
    expect(breakdownAggregatesNeeded(events, options)).toEqual(expected);
  });

  it('skips services without breakdown_labels', () => {
    expect(breakdownAggregatesNeeded([snapshot('a', 'A', 1)], DEFAULT_PROJECTION_OPTIONS)).toEqual([]);
  });
});
