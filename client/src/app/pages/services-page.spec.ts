import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { all, text } from '../testing/fixtures';
import { configureApp, request, settle } from '../testing/setup';
import { ServicesStore } from '../core/services-store';

describe('ServicesPage (home)', () => {
  let http: HttpTestingController;
  let harness: RouterTestingHarness;

  beforeEach(async () => {
    http = configureApp();
    harness = await RouterTestingHarness.create();
  });

  afterEach(() => {
    http.match(() => true);
    http.verify();
  });

  const el = () => harness.routeNativeElement as HTMLElement;

  async function home(services: string[] | null) {
    void harness.navigateByUrl('/');
    TestBed.inject(ServicesStore).load(); // the shell's job in the app
    await settle();
    const req = request(http, 'services/');
    if (services) req.flush(services);
    else req.flush('connect ECONNREFUSED', { status: 503, statusText: 'Service Unavailable' });
    await settle(harness.fixture);
  }

  it('lists the services, sorted, each linking to its page, with its open error count', async () => {
    await home(['payments', 'api.gateway v2', 'checkout']);
    expect(all(el(), '[data-testid="service"] .service-name')).toEqual(['api.gateway v2', 'checkout', 'payments']);
    const links = [...el().querySelectorAll<HTMLAnchorElement>('[data-testid="service"]')].map((a) => a.getAttribute('href'));
    expect(links).toEqual(['/api.gateway%20v2', '/checkout', '/payments']);

    const counts = http.match((r) => r.url.startsWith('api/services/'));
    expect(counts.map((r) => r.request.url)).toEqual(['api/services/api.gateway%20v2/errors', 'api/services/checkout/errors', 'api/services/payments/errors']);
    expect(counts.every((r) => r.request.params.get('limit') === '1' && r.request.params.get('status') === 'open')).toBe(true);
    counts[0].flush({ total: 12, items: [] });
    counts[1].flush({ total: 0, items: [] });
    counts[2].flush({ total: 3, items: [] });
    await settle(harness.fixture);
    expect(all(el(), '[data-testid="service"] .badge')).toEqual(['12', '0', '3']);
  });

  it('opens a service on click', async () => {
    await home(['checkout']);
    (el().querySelector('[data-testid="service"]') as HTMLAnchorElement).click();
    await settle(harness.fixture);
    expect(TestBed.inject(Router).url).toBe('/checkout');
  });

  it('moves with j/k and opens with Enter', async () => {
    await home(['a', 'b', 'c']);
    for (const key of ['j', 'j', 'j', 'k']) document.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    await settle(harness.fixture);
    expect(text(el(), '.cursor .service-name')).toBe('b');
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await settle(harness.fixture);
    expect(TestBed.inject(Router).url).toBe('/b');
  });

  it('says what to do when there are no services yet', async () => {
    await home([]);
    expect(text(el(), '[data-testid="empty"]')).toContain('No services yet');
    expect(text(el(), '[data-testid="empty"]')).toContain("Check your config's services");
  });

  it('says why the list is missing when the server fails', async () => {
    await home(null);
    expect(text(el(), '[role="alert"]')).toContain('connect ECONNREFUSED');
  });
});
