import { MockTarget, errorsPayload } from './support/mock-target.js';
import { PeriskopUnderTest } from './support/periskop-under-test.js';
import { temporaryDir } from './support/test-event-logs.js';
import { waitFor } from './support/wait-for.js';

// The endpoints the UI uses beside the Go routes, on the real server.

describe('UI API', () => {
  let target: MockTarget;
  let periskop: PeriskopUnderTest;
  let events: { dir: string; remove: () => Promise<void> };

  beforeAll(async () => {
    target = await MockTarget.start();
    events = await temporaryDir();
    target.body = errorsPayload('t', [
      { key: 'java.lang.NullPointerException@1', total: 5, occurrences: [{ uuid: 'n1', timestamp: '2024-05-01T10:00:00Z', message: 'user was null' }] },
      { key: 'payments/Timeout@2', total: 2, severity: 'warning', occurrences: [{ uuid: 't1', timestamp: '2024-05-01T12:00:00Z', message: 'upstream 50% slow' }] },
      { key: 'Info@3', total: 9, severity: 'info', occurrences: [{ uuid: 'i1', timestamp: '2024-05-01T11:00:00Z', message: 'cache miss' }] },
    ]);
    periskop = await PeriskopUnderTest.start({
      events: { type: 'embedded', path: events.dir },
      services: [{ name: 'shop', static_configs: [{ targets: [target.address], labels: { zone: 'eu-1' } }], scraper: { endpoint: '/errors', refresh_interval: '100ms' } }],
    });
    await waitFor(async () => (await periskop.get('/services/shop/errors/')).json?.().length === 3, 10_000, 'three errors');
  });

  afterAll(async () => {
    await periskop.stop();
    await target.stop();
    await events.remove();
  });

  const keys = async (query: string) => (await periskop.get(`/api/services/shop/errors${query}`)).json().items.map((e: { aggregation_key: string }) => e.aggregation_key);

  it('lists open errors newest first with their latest occurrence', async () => {
    const page = (await periskop.get('/api/services/shop/errors')).json();
    expect(page.total).toBe(3);
    expect(page.items[0]).toMatchObject({
      aggregation_key: 'payments/Timeout@2',
      total_count: 2,
      severity: 'warning',
      last_seen: Date.parse('2024-05-01T12:00:00Z') / 1000,
      resolved_at: null,
      latest: { uuid: 't1', error: { message: 'upstream 50% slow' } },
    });
  });

  it.each([
    ['?sort=total_count', ['Info@3', 'java.lang.NullPointerException@1', 'payments/Timeout@2']],
    ['?sort=total_count&order=asc', ['payments/Timeout@2', 'java.lang.NullPointerException@1', 'Info@3']],
    ['?severity=error', ['java.lang.NullPointerException@1']],
    ['?q=USER%20WAS', ['java.lang.NullPointerException@1']],
    ['?q=50%25', ['payments/Timeout@2']],
    ['?q=%25', ['payments/Timeout@2']],
    ['?q=no-such-text', []],
    ['?q=payments%2F', ['payments/Timeout@2']],
    ['?limit=1&offset=1', ['Info@3']],
  ])('answers %s', async (query, expected) => {
    expect(await keys(query)).toEqual(expected);
  });

  it('refuses a bad parameter naming it', async () => {
    const answer = await periskop.get('/api/services/shop/errors?sort=name');
    expect(answer.status).toBe(400);
    expect(answer.json().message).toBe('sort: "name" is not one of last_seen, total_count, created_at');
  });

  it('answers 404 for an unknown service', async () => {
    expect((await periskop.get('/api/services/nope/errors')).status).toBe(404);
  });

  it('serves one error by its key, slashes included', async () => {
    const detail = (await periskop.get(`/api/services/shop/errors/${encodeURIComponent('payments/Timeout@2')}`)).json();
    expect(detail).toMatchObject({ aggregation_key: 'payments/Timeout@2', latest_errors: [{ uuid: 't1' }] });
    expect((await periskop.get('/api/services/shop/errors/payments/Timeout@2')).json().aggregation_key).toBe('payments/Timeout@2');
    expect((await periskop.get('/api/services/shop/errors/nope')).status).toBe(404);
  });

  it('serves occurrences over time, counted at scrape time', async () => {
    const key = encodeURIComponent('java.lang.NullPointerException@1');
    const hourly = (await periskop.get(`/services/shop/errors/${key}/occurrences`)).json();
    expect(hourly.reduce((sum: number, b: { count: number }) => sum + b.count, 0)).toBe(5);
    expect(hourly[0].t % 3600).toBe(0);
    const minutes = (await periskop.get(`/services/shop/errors/${key}/occurrences?step=1m`)).json();
    expect(minutes.reduce((sum: number, b: { count: number }) => sum + b.count, 0)).toBe(5);
    expect((await periskop.get(`/services/shop/errors/${key}/occurrences?step=5m`)).status).toBe(400);
    expect((await periskop.get('/services/shop/errors/nope/occurrences')).status).toBe(404);
    expect((await periskop.get('/services/shop/errors/payments/Timeout@2/occurrences')).json()).toEqual([
      { t: expect.any(Number), count: 2 },
    ]);
  });

  it('moves a resolved error to the resolved list', async () => {
    expect(await periskop.delete(`/services/shop/errors/${encodeURIComponent('Info@3')}/`)).toBe(204);
    await periskop.settled();
    expect(await keys('?status=resolved')).toEqual(['Info@3']);
    expect(await keys('?status=open&sort=total_count')).toEqual(['java.lang.NullPointerException@1', 'payments/Timeout@2']);
    expect(await keys('?status=all')).toHaveLength(3);
  });

  it('shows each target with its labels and live scrape health', async () => {
    const targets = (await periskop.get('/api/targets')).json();
    expect(targets.shop).toEqual([
      {
        endpoint: target.url,
        address: target.address,
        labels: { zone: 'eu-1' },
        status: 'up',
        last_error: null,
        status_at: expect.any(Number),
        last_scrape_at: expect.any(Number),
        last_duration_ms: expect.any(Number),
      },
    ]);
  });
});
