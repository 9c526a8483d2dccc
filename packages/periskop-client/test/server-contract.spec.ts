// The contract with the server: what this library exports is what Periskop reads. Lives beside
// the package's unit tests, but imports the server's parser, so it is not part of the package.
import { parseScrapedPayload } from '../../../src/scraper/payload.js';
import { ErrorCollector } from '../src/index.js';

describe('the export, as Periskop parses it', () => {
  it('round-trips through parseScrapedPayload unchanged', () => {
    let now = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
    const collector = new ErrorCollector({ clock: { now: () => now } });
    collector.report(new Error('top', { cause: new TypeError('inner', { cause: 'root' }) }), { severity: 'warning' });
    now += 1000;
    collector.report('oops', {
      httpContext: { method: 'GET', url: '/errors', headers: { authorization: 'x', accept: '*/*' }, body: '{}' },
    });
    for (let i = 0; i < 12; i += 1) {
      now += 1;
      collector.report(new Error('again'), { key: 'repeated', severity: 'info', request: { method: 'POST', url: '/', headers: { host: 'h' } } });
    }
    const exported = collector.export();
    const parsed = parseScrapedPayload(JSON.parse(JSON.stringify(exported)));

    expect(parsed).toEqual({
      target_uuid: exported.target_uuid,
      aggregated_errors: exported.aggregated_errors.map((aggregate) => ({
        ...aggregate,
        created_at: Date.parse(aggregate.created_at),
        latest_errors: aggregate.latest_errors.map((occurrence) => ({
          ...occurrence,
          timestamp: Date.parse(occurrence.timestamp),
        })),
      })),
    });
    expect(parsed.aggregated_errors.find((aggregate) => aggregate.aggregation_key === 'repeated')).toMatchObject({
      total_count: 12,
      severity: 'info',
    });
  });

  it('stays readable whatever was thrown', () => {
    const collector = new ErrorCollector();
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    for (const thrown of [null, undefined, 42, Symbol('s'), cyclic, { message: 7 }, new Error('')]) {
      collector.report(thrown);
    }
    collector.report(new Error('x'), { key: 'k'.repeat(10_000), severity: 'fatal' as 'error' });
    expect(() => parseScrapedPayload(JSON.parse(JSON.stringify(collector.export())))).not.toThrow();
  });
});
