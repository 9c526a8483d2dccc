import type { ScrapedPayload } from './payload.types.js';
import { changedSince } from './snapshot-delta.js';

function payload(...errors: [string, number, string[]][]): ScrapedPayload {
  return {
    target_uuid: 't',
    aggregated_errors: errors.map(([key, total, uuids]) => ({
      aggregation_key: key,
      total_count: total,
      severity: 'error',
      created_at: null,
      latest_errors: uuids.map((uuid) => ({
        error: { class: 'E', message: '', stacktrace: [], cause: null },
        uuid,
        timestamp: 0,
        severity: 'error',
        http_context: null,
      })),
    })),
  };
}

function summary(changed: ReturnType<typeof changedSince>['changed']) {
  return changed.map((e) => [e.aggregation_key, e.total_count, e.latest_errors.map((o) => o.uuid)]);
}

describe('changedSince', () => {
  it('publishes everything on the first scrape', () => {
    expect(summary(changedSince(undefined, 't', payload(['a', 1, ['u1']], ['b', 2, ['u2']])).changed)).toEqual([
      ['a', 1, ['u1']],
      ['b', 2, ['u2']],
    ]);
  });

  it('publishes nothing when no total changed', () => {
    const first = changedSince(undefined, 't', payload(['a', 1, ['u1']]));
    expect(changedSince(first.next, 't', payload(['a', 1, ['u1']])).changed).toEqual([]);
  });

  it('publishes only the changed key with only its new occurrences', () => {
    const first = changedSince(undefined, 't', payload(['a', 1, ['u1']], ['b', 2, ['u2']]));
    expect(summary(changedSince(first.next, 't', payload(['a', 2, ['u1', 'u3']], ['b', 2, ['u2']])).changed)).toEqual([
      ['a', 2, ['u3']],
    ]);
  });

  it('publishes everything again when the instance restarted with a new target_uuid', () => {
    const first = changedSince(undefined, 't', payload(['a', 1, ['u1']]));
    expect(summary(changedSince(first.next, 't2', payload(['a', 1, ['u1']])).changed)).toEqual([['a', 1, ['u1']]]);
  });
});
