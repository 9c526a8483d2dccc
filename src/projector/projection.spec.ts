import type { PeriskopEvent, SnapshotScrapedV1 } from '../events/events.js';
import type { ErrorOccurrence } from '../scraper/payload.types.js';
import { aggregateId, bucketId, targetRowId, targetTotalsId } from './record-ids.js';
import { apply, emptyProjectionState, forEachRecordNeeded, type ProjectionState } from './projection.js';
import { allTotals } from './target-totals.js';

const at = 1_700_000_000_000;

function occurrence(uuid: string, timestamp = at): ErrorOccurrence {
  return { error: { class: 'E', message: 'm', stacktrace: [], cause: null }, uuid, timestamp, severity: 'error', http_context: null };
}

function snapshot(target: string, uuid: string, total: number, uuids: string[] = [], key = 'k'): SnapshotScrapedV1 {
  return {
    type: 'SnapshotScraped',
    version: 1,
    service: 'svc',
    at,
    data: {
      target,
      target_uuid: uuid,
      source: 'scrape',
      aggregated_errors: [
        { aggregation_key: key, total_count: total, severity: 'error', created_at: null, latest_errors: uuids.map((u) => occurrence(u)) },
      ],
    },
  };
}

const resolved: PeriskopEvent = { type: 'ErrorResolved', version: 1, service: 'svc', at, data: { aggregation_key: 'k' } };

function project(events: PeriskopEvent[]): ProjectionState {
  const state = emptyProjectionState();
  for (const event of events) apply(state, event);
  return state;
}

function aggregate(state: ProjectionState) {
  return state.aggregates.get(aggregateId('svc', 'k'));
}

describe('apply', () => {
  it.each<[string, PeriskopEvent[], number, boolean]>([
    ['sums the counts of two instances', [snapshot('a', 'A', 2), snapshot('b', 'B', 3)], 5, false],
    ['counts only the growth of an instance scraped again', [snapshot('a', 'A', 2), snapshot('a', 'A', 5)], 5, false],
    ['counts a full snapshot repeating the same totals once', [snapshot('a', 'A', 2), snapshot('a', 'A', 2)], 2, false],
    ['counts a restarted instance (same uuid, counter reset)', [snapshot('a', 'A', 5), snapshot('a', 'A', 2)], 7, false],
    ['counts a restarted instance with a new target_uuid', [snapshot('a', 'A', 5), snapshot('a', 'A2', 1)], 6, false],
    ['hides a resolved error', [snapshot('a', 'A', 2), resolved], 2, true],
    ['keeps it hidden when the next snapshot brings nothing new', [snapshot('a', 'A', 2), resolved, snapshot('a', 'A', 2)], 2, true],
    ['brings it back on a new occurrence', [snapshot('a', 'A', 2), resolved, snapshot('a', 'A', 3)], 3, false],
    ['brings it back when a restarted instance reports it', [snapshot('a', 'A', 2), resolved, snapshot('a', 'A', 1)], 3, false],
  ])('%s', (_name, events, total, hidden) => {
    const state = project(events);
    expect(aggregate(state)?.totalCount).toBe(total);
    expect(aggregate(state)?.resolvedAt !== null).toBe(hidden);
  });

  it('ignores resolving an error that does not exist', () => {
    const state = project([resolved]);
    expect(state.aggregates.size).toBe(0);
    expect(state.changed.aggregates.size).toBe(0);
  });

  it('merges occurrences of all instances by uuid', () => {
    const state = project([snapshot('a', 'A', 2, ['u1', 'u2']), snapshot('b', 'B', 1, ['u3']), snapshot('a', 'A', 2, ['u1', 'u2'])]);
    expect(aggregate(state)?.latestErrors.map((o) => o.uuid).sort()).toEqual(['u1', 'u2', 'u3']);
  });

  it('replaces the target list on discovery and keeps the status of targets still there', () => {
    const state = project([
      { type: 'TargetsDiscovered', version: 1, service: 'svc', at, data: { targets: [{ address: 'a:1', url: 'http://a:1/errors', labels: {} }] } },
      { type: 'ScrapeFailed', version: 1, service: 'svc', at, data: { target: 'http://a:1/errors', reason: 'timeout', detail: 'no answer in 10s' } },
      {
        type: 'TargetsDiscovered',
        version: 1,
        service: 'svc',
        at,
        data: {
          targets: [
            { address: 'a:1', url: 'http://a:1/errors', labels: {} },
            { address: 'b:1', url: 'http://b:1/errors', labels: { zone: 'z' } },
          ],
        },
      },
    ]);
    const targets = state.targets.get('svc')!;
    expect(targets.get('http://a:1/errors')).toMatchObject({ status: 'down', lastError: { reason: 'timeout' } });
    expect(targets.get('http://b:1/errors')).toMatchObject({ status: 'unknown', labels: { zone: 'z' } });
  });

  it('marks a target up again after a successful scrape', () => {
    const state = project([
      { type: 'TargetsDiscovered', version: 1, service: 'svc', at, data: { targets: [{ address: 'a', url: 'a', labels: {} }] } },
      { type: 'ScrapeFailed', version: 1, service: 'svc', at, data: { target: 'a', reason: 'refused', detail: '' } },
      snapshot('a', 'A', 1),
    ]);
    expect(state.targets.get('svc')!.get('a')).toMatchObject({ status: 'up', lastError: null });
  });

  it('notes a status change as one changed target row, a discovery as the whole list', () => {
    const discovered = project([
      { type: 'TargetsDiscovered', version: 1, service: 'svc', at, data: { targets: [{ address: 'a', url: 'a', labels: {} }, { address: 'b', url: 'b', labels: {} }] } },
    ]);
    expect([...discovered.changed.targets]).toEqual(['svc']);
    const state = emptyProjectionState();
    state.targets = discovered.targets;
    apply(state, { type: 'ScrapeFailed', version: 1, service: 'svc', at, data: { target: 'b', reason: 'refused', detail: '' } });
    expect([...state.changed.targets]).toEqual([]);
    expect([...state.changed.targetRows]).toEqual([targetRowId('svc', 'b')]);
  });

  it('keeps when a target’s status began: a scrape of a target already up changes nothing', () => {
    const discovered = project([
      { type: 'TargetsDiscovered', version: 1, service: 'svc', at, data: { targets: [{ address: 'a', url: 'a', labels: {} }] } },
      { ...snapshot('a', 'A', 1), at: at + 1_000 },
    ]);
    expect(discovered.targets.get('svc')!.get('a')).toMatchObject({ status: 'up', statusAt: at + 1_000 });
    const state = emptyProjectionState();
    state.targets = discovered.targets;
    apply(state, { ...snapshot('a', 'A', 2), at: at + 2_000 });
    expect(state.targets.get('svc')!.get('a')).toMatchObject({ status: 'up', statusAt: at + 1_000 });
    expect([...state.changed.targetRows]).toEqual([]);
    // A failure whose reason changes is a change, though the target stays down.
    apply(state, { type: 'ScrapeFailed', version: 1, service: 'svc', at: at + 3_000, data: { target: 'a', reason: 'refused', detail: '' } });
    apply(state, { type: 'ScrapeFailed', version: 1, service: 'svc', at: at + 4_000, data: { target: 'a', reason: 'timeout', detail: '' } });
    expect(state.targets.get('svc')!.get('a')).toMatchObject({ status: 'down', statusAt: at + 4_000, lastError: { reason: 'timeout' } });
    expect([...state.changed.targetRows]).toEqual([targetRowId('svc', 'a')]);
  });

  it('notes every service it sees', () => {
    expect([...project([snapshot('a', 'A', 1)]).changed.services]).toEqual(['svc']);
  });
});

describe('occurrence buckets', () => {
  const minute = (t: number) => bucketId('svc', 'k', '1m', t);
  const at2 = at + 120_000;

  it('counts each delta in the minute and hour of its snapshot', () => {
    const later = { ...snapshot('a', 'A', 5), at: at2 };
    const state = project([snapshot('a', 'A', 2), snapshot('a', 'A', 2), later]);
    expect(state.buckets.get(minute(1_699_999_980_000))).toBe(2);
    expect(state.buckets.get(minute(1_700_000_100_000))).toBe(3);
    expect(state.buckets.get(bucketId('svc', 'k', '1h', 1_699_999_200_000))).toBe(5);
    expect(state.newestAt).toBe(at2);
  });

  it('counts a counter reset like the total does', () => {
    const state = project([snapshot('a', 'A', 5), snapshot('a', 'A', 2)]);
    expect(state.buckets.get(minute(1_699_999_980_000))).toBe(7);
  });

  it('counts nothing for a snapshot without new occurrences', () => {
    const state = project([snapshot('a', 'A', 0)]);
    expect(state.buckets.size).toBe(0);
  });
});

describe('per-target totals', () => {
  it('keeps every key a target reported together, under the target', () => {
    const state = project([snapshot('a', 'A', 2), snapshot('a', 'A', 3, [], 'other'), snapshot('b', 'B', 1)]);
    expect(new Map([...state.targetTotals].map(([id, totals]) => [id, allTotals(totals)]))).toEqual(
      new Map([
        [targetTotalsId('svc', 'A'), new Map([['k', 2], ['other', 3]])],
        [targetTotalsId('svc', 'B'), new Map([['k', 1]])],
      ]),
    );
    expect(state.changed.targetTotals).toEqual(new Set([targetTotalsId('svc', 'A'), targetTotalsId('svc', 'B')]));
  });

  it('leaves a target out when its snapshot reports no error (its row, not loaded, must not be rewritten)', () => {
    const empty: PeriskopEvent = { ...snapshot('a', 'A', 0), data: { ...snapshot('a', 'A', 0).data, aggregated_errors: [] } };
    const state = project([empty]);
    expect(state.targetTotals.size).toBe(0);
    expect(state.changed.targetTotals.size).toBe(0);
  });
});

/** The records forEachRecordNeeded tells of, as lists. */
function recordsNeeded(event: PeriskopEvent) {
  const records = { aggregates: [] as { service: string; key: string }[], targetTotals: [] as { service: string; targetUuid: string }[], buckets: [] as string[], targetsOf: [] as string[] };
  forEachRecordNeeded(event, {
    aggregate: (_id, service, key) => records.aggregates.push({ service, key }),
    targetTotals: (_id, service, targetUuid) => records.targetTotals.push({ service, targetUuid }),
    bucket: (id) => records.buckets.push(id),
    targetsOf: (service) => records.targetsOf.push(service),
  });
  return records;
}

describe('forEachRecordNeeded', () => {
  it('asks for the aggregates and per-target totals a snapshot touches', () => {
    expect(recordsNeeded(snapshot('a', 'A', 1))).toEqual({
      aggregates: [{ service: 'svc', key: 'k' }],
      targetTotals: [{ service: 'svc', targetUuid: 'A' }],
      buckets: [bucketId('svc', 'k', '1m', 1_699_999_980_000), bucketId('svc', 'k', '1h', 1_699_999_200_000)],
      targetsOf: ['svc'],
    });
  });
});
