import { parseScrapedPayload } from '../scraper/payload.js';
import { GATEWAY_LATEST_OCCURRENCES, GatewayState } from './gateway-state.js';

const T0 = Date.UTC(2024, 4, 1, 10, 0, 0);

/** One instance's cumulative state as it would push it. */
function state(targetUuid: string, errors: { key: string; total: number; uuids: string[]; severity?: string; createdAt?: string }[]) {
  const payload = parseScrapedPayload({
    target_uuid: targetUuid,
    aggregated_errors: errors.map((e) => ({
      aggregation_key: e.key,
      total_count: e.total,
      severity: e.severity ?? 'error',
      ...(e.createdAt === undefined ? {} : { created_at: e.createdAt }),
      latest_errors: e.uuids.map((uuid) => ({
        error: { class: 'Error', message: e.key, stacktrace: [], cause: null },
        uuid,
        // The uuid's trailing number orders the occurrences in time.
        timestamp: new Date(T0 + Number(uuid.replace(/\D/g, '') || 0) * 1000).toISOString(),
        severity: e.severity ?? 'error',
        http_context: null,
      })),
    })),
  });
  return { ...payload, target_uuid: targetUuid };
}

function gateway() {
  return new GatewayState({ targetUuid: 'gateway', now: () => T0 + 3_600_000 });
}

const totals = (g: GatewayState) => Object.fromEntries(g.export().aggregated_errors.map((a) => [a.aggregation_key, a.total_count]));

describe('GatewayState', () => {
  it('counts a re-pushed state once', () => {
    const g = gateway();
    expect(g.accept(state('job-1', [{ key: 'E', total: 2, uuids: ['u1', 'u2'] }]))).toEqual({ keys: 1, counted: 2 });
    expect(g.accept(state('job-1', [{ key: 'E', total: 2, uuids: ['u1', 'u2'] }]))).toEqual({ keys: 1, counted: 0 });
    expect(totals(g)).toEqual({ E: 2 });
  });

  it('counts only the growth of a larger state', () => {
    const g = gateway();
    g.accept(state('job-1', [{ key: 'E', total: 2, uuids: ['u1', 'u2'] }]));
    expect(g.accept(state('job-1', [{ key: 'E', total: 5, uuids: ['u1', 'u2', 'u3'] }])).counted).toBe(3);
    expect(totals(g)).toEqual({ E: 5 });
  });

  it('sums the instances', () => {
    const g = gateway();
    g.accept(state('job-1', [{ key: 'E', total: 2, uuids: ['u1'] }, { key: 'F', total: 1, uuids: ['u9'] }]));
    g.accept(state('job-2', [{ key: 'E', total: 3, uuids: ['u2'] }]));
    g.accept(state('job-1', [{ key: 'E', total: 2, uuids: ['u1'] }, { key: 'F', total: 1, uuids: ['u9'] }]));
    expect(totals(g)).toEqual({ E: 5, F: 1 });
  });

  it('counts all of a lower total: the instance started over', () => {
    const g = gateway();
    g.accept(state('job-1', [{ key: 'E', total: 5, uuids: ['u1'] }]));
    g.accept(state('job-1', [{ key: 'E', total: 2, uuids: ['u2'] }]));
    expect(totals(g)).toEqual({ E: 7 });
  });

  it('keeps counts of forgotten instances: its totals never go down', () => {
    const g = new GatewayState({ targetUuid: 'gateway', maxTargets: 1 });
    g.accept(state('job-1', [{ key: 'E', total: 2, uuids: ['u1'] }]));
    g.accept(state('job-2', [{ key: 'E', total: 3, uuids: ['u2'] }]));
    expect(totals(g)).toEqual({ E: 5 });
  });

  it(`merges the latest occurrences by uuid, newest first, at most ${GATEWAY_LATEST_OCCURRENCES}`, () => {
    const g = gateway();
    const first = Array.from({ length: 8 }, (_, i) => `a${i + 1}`); // a1..a8
    const second = Array.from({ length: 6 }, (_, i) => `b${i + 5}`); // b5..b10
    g.accept(state('job-1', [{ key: 'E', total: 8, uuids: first }]));
    g.accept(state('job-2', [{ key: 'E', total: 6, uuids: second }]));
    g.accept(state('job-1', [{ key: 'E', total: 8, uuids: first }]));
    const [aggregate] = g.export().aggregated_errors;
    expect(aggregate!.latest_errors.map((o) => o.uuid)).toEqual(['b10', 'b9', 'a8', 'b8', 'a7', 'b7', 'a6', 'b6', 'a5', 'b5']);
  });

  it('takes the latest severity and the earliest creation time', () => {
    const g = gateway();
    g.accept(state('job-1', [{ key: 'E', total: 1, uuids: ['u5'], severity: 'warning', createdAt: '2024-05-01T09:00:00Z' }]));
    g.accept(state('job-2', [{ key: 'E', total: 1, uuids: ['u6'], severity: 'info' }]));
    expect(g.export().aggregated_errors[0]).toMatchObject({ severity: 'info', created_at: '2024-05-01T09:00:00.000Z' });
  });

  it('uses the earliest occurrence when no instance sent created_at, else the first push', () => {
    const g = gateway();
    g.accept(state('job-1', [{ key: 'E', total: 1, uuids: ['u3', 'u4'] }, { key: 'F', total: 1, uuids: [] }]));
    expect(g.export().aggregated_errors.map((a) => a.created_at)).toEqual([
      new Date(T0 + 3000).toISOString(),
      new Date(T0 + 3_600_000).toISOString(),
    ]);
  });

  it('exports the scraped format, with its own target uuid, that Periskop parses', () => {
    const g = gateway();
    g.accept(state('job-1', [{ key: 'E', total: 2, uuids: ['u1', 'u2'] }]));
    const exported = g.export();
    expect(exported.target_uuid).toBe('gateway');
    const parsed = parseScrapedPayload(JSON.parse(JSON.stringify(exported)));
    expect(parsed.aggregated_errors).toMatchObject([{ aggregation_key: 'E', total_count: 2, latest_errors: [{ uuid: 'u2' }, { uuid: 'u1' }] }]);
  });

  it('drops the least recently pushed key beyond the limit', () => {
    const g = new GatewayState({ targetUuid: 'gateway', maxKeys: 2 });
    g.accept(state('job-1', [{ key: 'A', total: 1, uuids: [] }, { key: 'B', total: 1, uuids: [] }]));
    g.accept(state('job-2', [{ key: 'C', total: 1, uuids: [] }]));
    expect(totals(g)).toEqual({ B: 1, C: 1 });
  });
});
