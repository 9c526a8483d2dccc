import { HttpTestingController } from '@angular/common/http/testing';
import { RouterTestingHarness } from '@angular/router/testing';
import { all, text } from '../testing/fixtures';
import { configureApp, request, settle } from '../testing/setup';

describe('TargetsPage', () => {
  let http: HttpTestingController;
  let harness: RouterTestingHarness;

  beforeEach(async () => {
    http = configureApp();
    harness = await RouterTestingHarness.create();
    void harness.navigateByUrl('/targets');
    await settle();
  });

  afterEach(() => http.verify());

  const el = () => harness.routeNativeElement as HTMLElement;

  it('shows per service each endpoint with status, last scrape, duration, failure reason and labels', async () => {
    const now = Math.floor(Date.now() / 1000);
    request(http, 'api/targets').flush({
      shop: [
        { endpoint: 'http://shop-1:7777/errors', address: 'shop-1:7777', labels: { zone: 'eu-1', app: 'shop' }, status: 'up', last_error: null, status_at: now - 60, last_scrape_at: now - 180, last_duration_ms: 12 },
        { endpoint: 'http://shop-2:7777/errors', address: 'shop-2:7777', labels: {}, status: 'down', last_error: { reason: 'timeout', detail: 'no answer in 10s' }, status_at: now - 30, last_scrape_at: now - 180, last_duration_ms: 10000 },
      ],
      billing: [],
    });
    await settle(harness.fixture);
    expect(all(el(), '[data-testid="target-service"] h2 a')).toEqual(['billing', 'shop']);
    const rows = [...el().querySelectorAll('[data-testid="target"]')].map((r) => [...r.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim()));
    expect(rows).toEqual([
      ['http://shop-1:7777/errors', 'up', '3 minutes ago', '12 ms', '—', 'app=shopzone=eu-1'],
      ['http://shop-2:7777/errors', 'down', '3 minutes ago', '10000 ms', 'timeout: no answer in 10s', ''],
    ]);
    expect(text(el(), '[data-testid="targets-summary"]')).toBe('1 up · 1 down · 0 not scraped yet');
  });

  it('falls back to the Go route on a server without /api/targets', async () => {
    request(http, 'api/targets').flush({ message: 'Cannot GET /api/targets' }, { status: 404, statusText: 'Not Found' });
    await settle();
    request(http, 'targets/').flush({ shop: [{ endpoint: 'http://shop-1:7777/errors' }] });
    await settle(harness.fixture);
    expect(all(el(), '[data-testid="target"] td:first-child')).toEqual(['http://shop-1:7777/errors']);
    expect(all(el(), '[data-testid="target"] .status')).toEqual(['unknown']);
  });
});
