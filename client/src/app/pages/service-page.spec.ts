import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { RefreshService } from '../core/refresh';
import { ResolvedKeys } from '../core/resolved-keys';
import { all, detail, occurrence, summary, text } from '../testing/fixtures';
import { configureApp, request, settle } from '../testing/setup';
import { ServicePage } from './service-page';

const LIST = 'api/services/checkout/errors';

describe('ServicePage', () => {
  let http: HttpTestingController;
  let harness: RouterTestingHarness;
  let router: Router;

  beforeEach(async () => {
    http = configureApp();
    harness = await RouterTestingHarness.create();
    router = TestBed.inject(Router);
  });

  afterEach(() => {
    http.match(() => true); // the shell's and detail's requests are not under test here
    http.verify();
  });

  async function open(url: string) {
    void harness.navigateByUrl(url);
    await settle();
    return harness.routeNativeElement as HTMLElement;
  }

  async function flush(url: string, body: object, status = 200) {
    const req = request(http, url);
    if (status === 200) req.flush(body);
    else req.flush(body, { status, statusText: 'error' });
    await settle(harness.fixture);
    return req.request;
  }

  const el = () => harness.routeNativeElement as HTMLElement;

  it('lists the open errors with count badge, severity colour and regressed marker', async () => {
    await open('/checkout');
    const req = await flush(LIST, {
      total: 3,
      items: [
        summary('com.example.A@1', { total_count: 42, severity: 'error' }),
        summary('com.example.B@2', { total_count: 7, severity: 'warning', reopened_at: 1_700_000_050 }),
        summary('com.example.C@3', { total_count: 1, severity: 'info' }),
      ],
    });
    expect(req.params.get('status')).toBe('open');
    expect(req.params.get('sort')).toBe('last_seen');
    expect(req.params.get('order')).toBe('desc');
    expect(req.params.get('offset')).toBe('0');
    expect(req.params.get('limit')).toBe('100');
    expect(req.params.has('severity')).toBe(false);
    expect(all(el(), '[data-testid="error-key"]')).toEqual(['com.example.A@1', 'com.example.B@2', 'com.example.C@3']);
    expect(all(el(), '.error-item .badge.count')).toEqual(['42', '7', '1']);
    const items = [...el().querySelectorAll('[data-testid="error-item"]')];
    expect(items.map((i) => ['sev-error', 'sev-warning', 'sev-info'].find((c) => i.classList.contains(c)))).toEqual(['sev-error', 'sev-warning', 'sev-info']);
    expect(items[1].querySelector('[data-testid="regressed"]')).not.toBeNull();
    expect(items[0].querySelector('[data-testid="regressed"]')).toBeNull();
    expect(text(el(), '[data-testid="list-meta"]')).toBe('3 open errors');
    expect(text(el(), '[data-testid="service-title"]')).toBe('checkout');
  });

  it('switches the list to a past moment with the time picker, and back to live', async () => {
    await open('/checkout');
    expect((await flush(LIST, { total: 0, items: [] })).params.has('at')).toBe(false);
    expect(el().querySelector('[data-testid="live"]')).toBeNull();

    const picker = el().querySelector('[data-testid="at-picker"]') as HTMLInputElement;
    picker.value = '2026-11-23T22:05:07';
    picker.dispatchEvent(new Event('change'));
    await settle(harness.fixture);
    const req = await flush(LIST, { total: 1, items: [summary('com.example.A@1', { total_count: 3 })] });
    expect(req.params.get('at')).toBe('2026-11-23T22:05:07Z');
    expect(decodeURIComponent(router.url)).toBe('/checkout?at=2026-11-23T22:05:07Z');
    expect(text(el(), '[data-testid="list-meta"]')).toBe('1 open error at 2026-11-23 22:05:07 UTC');
    expect((el().querySelector('[data-testid="at-picker"]') as HTMLInputElement).value).toMatch(/^2026-11-23T22:05:07(\.000)?$/);

    // The past does not change: auto-refresh asks nothing.
    TestBed.inject(RefreshService).tick();
    await settle(harness.fixture);
    http.expectNone((r) => r.url.endsWith(LIST));

    (el().querySelector('[data-testid="live"]') as HTMLButtonElement).click();
    await settle(harness.fixture);
    expect((await flush(LIST, { total: 0, items: [] })).params.has('at')).toBe(false);
    expect(router.url).toBe('/checkout');
  });

  it('filters by severity, sorts by event count and searches through the server', async () => {
    await open('/checkout');
    await flush(LIST, { total: 0, items: [] });

    (el().querySelector('[data-testid="severity-warning"]') as HTMLButtonElement).click();
    await settle(harness.fixture);
    expect((await flush(LIST, { total: 0, items: [] })).params.get('severity')).toBe('warning');
    expect(router.url).toBe('/checkout?severity=warning');

    const sort = el().querySelector('[data-testid="sort"]') as HTMLSelectElement;
    sort.value = 'total_count';
    sort.dispatchEvent(new Event('change'));
    await settle(harness.fixture);
    expect((await flush(LIST, { total: 0, items: [] })).params.get('sort')).toBe('total_count');

    const search = el().querySelector('[data-testid="search"]') as HTMLInputElement;
    search.value = 'timeout ';
    search.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    await settle(harness.fixture);
    const req = await flush(LIST, { total: 0, items: [] });
    expect(req.params.get('q')).toBe('timeout');
    expect(req.params.get('severity')).toBe('warning');
    expect(req.params.get('sort')).toBe('total_count');
    expect(text(el(), '[data-testid="empty"]')).toContain('No errors match these filters');
  });

  it('asks for sparklines with each page and draws one per error', async () => {
    await open('/checkout');
    const req = await flush(LIST, {
      total: 2,
      items: [summary('A@1', { sparkline: [0, 3, 1] }), summary('B@2', { sparkline: [0, 0, 0] })],
    });
    expect(req.params.get('sparkline')).toBe('1');
    const lines = [...el().querySelectorAll('[data-testid="error-item"] [data-testid="sparkline"]')];
    expect(lines.map((l) => l.getAttribute('aria-label'))).toEqual([
      '4 occurrences in the last 3 hours, at most 3 in one hour',
      'No occurrences in the last 3 hours',
    ]);
  });

  it('filters errors first seen recently, keeping the filter in the URL', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(Date.UTC(2024, 5, 2, 12));
    await open('/checkout');
    expect((await flush(LIST, { total: 0, items: [] })).params.has('new_since')).toBe(false);
    const select = el().querySelector('[data-testid="new-within"]') as HTMLSelectElement;
    select.value = '24h';
    select.dispatchEvent(new Event('change'));
    await settle(harness.fixture);
    expect((await flush(LIST, { total: 0, items: [] })).params.get('new_since')).toBe('2024-06-01T12:00:00.000Z');
    expect(router.url).toBe('/checkout?new=24h');
    expect(text(el(), '[data-testid="empty"]')).toContain('No errors match these filters');
    (el().querySelector('[data-testid="empty"] button') as HTMLButtonElement).click();
    await settle(harness.fixture);
    expect((await flush(LIST, { total: 0, items: [] })).params.has('new_since')).toBe(false);
    vi.restoreAllMocks();
  });

  it('shows resolved errors under Resolved', async () => {
    await open('/checkout');
    await flush(LIST, { total: 0, items: [] });
    expect(text(el(), '[data-testid="empty"]')).toContain('No open errors in checkout');
    (el().querySelector('[data-testid="status-resolved"]') as HTMLButtonElement).click();
    await settle(harness.fixture);
    const req = await flush(LIST, { total: 1, items: [summary('k@1', { resolved_at: 1_700_000_000 })] });
    expect(req.params.get('status')).toBe('resolved');
    expect(all(el(), '.error-item .badge.resolved')[0]).toMatch(/^resolved /);
  });

  describe('with 10,000 errors', () => {
    const TOTAL = 10_000;
    const page = (offset: number) => ({ total: TOTAL, items: Array.from({ length: 100 }, (_, i) => summary(`k@${offset + i}`)) });
    const list = () => el().querySelector('[data-testid="error-list"]') as HTMLElement;
    const rows = () => [...el().querySelectorAll('.vlist-row')].map((r) => Number(r.getAttribute('data-index')));
    const pending = () => http.match((r) => r.url === LIST);
    const offsets = (requests: { request: { params: { get: (name: string) => string | null } } }[]) =>
      requests.map((r) => Number(r.request.params.get('offset'))).sort((a, b) => a - b);
    const press = (key: string) => document.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));

    async function openBig() {
      await open('/checkout');
      await flush(LIST, page(0));
    }

    it('renders only a window of rows and fetches the pages scrolled to', async () => {
      await openBig();
      expect(text(el(), '[data-testid="list-meta"]')).toBe('10000 open errors');
      expect((el().querySelector('.vlist-spacer') as HTMLElement).style.height).toBe(`${TOTAL * 78}px`);
      expect(rows()[0]).toBe(0);
      expect(rows().length).toBeGreaterThan(5);
      expect(rows().length).toBeLessThan(40);
      expect(all(el(), '[data-testid="error-key"]').slice(0, 2)).toEqual(['k@0', 'k@1']);

      // Scrolled to the middle: placeholders, then the two pages behind the window.
      list().scrollTop = 5000 * 78;
      list().dispatchEvent(new Event('scroll'));
      await settle(harness.fixture);
      expect(rows()[0]).toBeGreaterThan(4980);
      expect(el().querySelectorAll('[data-testid="error-item"]')).toHaveLength(0);
      expect(el().querySelectorAll('[data-testid="row-loading"]').length).toBe(rows().length);
      const requests = pending();
      expect(offsets(requests)).toEqual([4900, 5000]);
      expect(requests[0].request.params.get('limit')).toBe('100');
      for (const r of requests) r.flush(page(Number(r.request.params.get('offset'))));
      await settle(harness.fixture);
      expect(all(el(), '[data-testid="error-key"]')).toEqual(rows().map((i) => `k@${i}`));
      expect(el().querySelectorAll('[data-testid="row-loading"]')).toHaveLength(0);

      // To the end.
      list().scrollTop = TOTAL * 78;
      list().dispatchEvent(new Event('scroll'));
      await settle(harness.fixture);
      const last = pending();
      expect(offsets(last)).toEqual([9900]);
      last[0].flush(page(9900));
      await settle(harness.fixture);
      expect(all(el(), '[data-testid="error-key"]').at(-1)).toBe('k@9999');
      expect(rows().length).toBeLessThan(40);
    });

    it('moves the selection with j/k, scrolling it into view and fetching its page', async () => {
      await openBig();
      for (let i = 0; i < 20; i++) press('j');
      await settle(harness.fixture);
      expect(text(el(), '.error-item.cursor [data-testid="error-key"]')).toBe('k@19');
      expect(list().scrollTop).toBe(20 * 78 - 600); // the row's bottom edge at the viewport's (600 px without layout)
      press('k');
      await settle(harness.fixture);
      expect(text(el(), '.error-item.cursor [data-testid="error-key"]')).toBe('k@18');
      expect(list().scrollTop).toBe(20 * 78 - 600); // still in view: no scroll

      for (let i = 0; i < 90; i++) press('j');
      await settle(harness.fixture);
      expect(list().scrollTop).toBe(109 * 78 - 600);
      const requests = pending();
      expect(offsets(requests)).toEqual([100]);
      requests[0].flush(page(100));
      await settle(harness.fixture);
      expect(text(el(), '.error-item.cursor [data-testid="error-key"]')).toBe('k@108');

      press('Enter');
      await settle(harness.fixture);
      expect(router.url).toBe('/checkout/errors/k@108');
    });

    it('starts over at the top when a filter changes', async () => {
      await openBig();
      list().scrollTop = 3000 * 78;
      list().dispatchEvent(new Event('scroll'));
      await settle(harness.fixture);
      pending();
      (el().querySelector('[data-testid="severity-warning"]') as HTMLButtonElement).click();
      await settle(harness.fixture);
      const req = await flush(LIST, page(0));
      expect(req.params.get('offset')).toBe('0');
      expect(req.params.get('severity')).toBe('warning');
      expect(list().scrollTop).toBe(0);
      expect(rows()[0]).toBe(0);
      expect(pending()).toHaveLength(0);
    });

    it('refreshes the pages on screen only', async () => {
      await openBig();
      list().scrollTop = 150 * 78;
      list().dispatchEvent(new Event('scroll'));
      await settle(harness.fixture);
      pending()[0].flush(page(100));
      await settle(harness.fixture);
      TestBed.inject(RefreshService).tick();
      await settle(harness.fixture);
      expect(offsets(pending())).toEqual([100]);
    });
  });

  it('moves with j/k and opens with Enter', async () => {
    await open('/checkout');
    await flush(LIST, { total: 3, items: [summary('a@1'), summary('b/2 (x)'), summary('c@3')] });
    for (const key of ['j', 'j']) document.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    await settle(harness.fixture);
    expect(el().querySelector('.error-item.cursor [data-testid="error-key"]')?.textContent).toBe('b/2 (x)');
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await settle(harness.fixture);
    expect(router.url).toBe('/checkout/errors/b%2F2%20(x)');
    const req = request(http, 'api/services/checkout/errors/b%2F2%20(x)');
    req.flush(detail('b/2 (x)', [occurrence('u1', 1_700_000_000)]));
    await settle(harness.fixture);
    expect(text(el(), '[data-testid="detail-key"]')).toBe('b/2 (x)');
    expect(el().querySelector('.error-item.active [data-testid="error-key"]')?.textContent).toBe('b/2 (x)');
  });

  it('focuses the search with /', async () => {
    await open('/checkout');
    await flush(LIST, { total: 0, items: [] });
    document.dispatchEvent(new KeyboardEvent('keydown', { key: '/', bubbles: true }));
    expect(document.activeElement).toBe(el().querySelector('[data-testid="search"]'));
  });

  it('opens a deep link /:service/errors/:encodedKey and resolves the error', async () => {
    const key = 'com.example.Foo@e28e036e';
    await open(`/checkout/errors/${encodeURIComponent(key)}`);
    await flush(LIST, { total: 2, items: [summary(key), summary('other@2')] });
    await flush(`api/services/checkout/errors/${encodeURIComponent(key)}`, detail(key, [occurrence('u1', 1_700_000_000)]));
    expect(text(el(), '[data-testid="detail-key"]')).toBe(key);

    (el().querySelector('[data-testid="resolve"]') as HTMLButtonElement).click();
    await settle(harness.fixture);
    const del = request(http, `services/checkout/errors/${encodeURIComponent(key)}/`, 'DELETE');
    del.flush('', { status: 204, statusText: 'No Content' });
    await settle(harness.fixture);
    // Gone from the list at once; the next error opens.
    expect(all(el(), '[data-testid="error-key"]')).toEqual(['other@2']);
    expect(text(el(), '[data-testid="resolved-notice"]')).toContain(key);
    expect(router.url).toBe('/checkout/errors/other@2');
    expect(TestBed.inject(ResolvedKeys).isHidden('checkout', key, Date.now())).toBe(true);
  });

  it('says so for an unknown service', async () => {
    await open('/nope');
    await flush('api/services/nope/errors', { message: 'service nope not found' }, 404);
    expect(text(el(), '[data-testid="not-found"]')).toContain('no service named nope');
  });

  it('says what failed when the server cannot answer', async () => {
    await open('/checkout');
    await flush(LIST, { message: 'database read model: connect ECONNREFUSED' }, 503);
    expect(el().querySelector('[role="alert"]')?.textContent).toContain('database read model: connect ECONNREFUSED');
  });
});
