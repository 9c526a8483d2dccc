import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { collectCspViolations, launchBrowser } from './support/browser.js';
import { MockTarget, errorsPayload } from './support/mock-target.js';
import { PeriskopUnderTest } from './support/periskop-under-test.js';
import { temporaryDir } from './support/test-event-logs.js';
import { waitFor } from './support/wait-for.js';

// The Angular UI (client/dist/browser, built beforehand) served by the real server, driven in
// headless Chromium against a real scraped target.

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const SERVICE = 'shop.checkout v2';
const PAYMENT = 'com.shop.PaymentFailed@e28e036e';
const SLOW = 'com.shop.SlowQuery@1a2b';
const CACHE = 'com.shop.CacheMiss@99';
const XSS = 'com.shop.Xss@deadbeef';
const ROUTE = 'orders/{id} failed (v2);x@42';
const XSS_MESSAGE = '<script>alert(1)</script><img src=x onerror=alert(2)>';
/** A large service: 10,000 aggregated errors in one payload, one small occurrence each. */
const BIG = 'bulk.sink';
const BIG_COUNT = 10_000;
const bigKey = (i: number) => `com.bulk.Error${String(i).padStart(5, '0')}@${(i * 2654435761 % 2 ** 32).toString(16).padStart(8, '0')}`;
const enc = encodeURIComponent;

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

function occurrence(uuid: string, minutesAgo: number, klass: string, severity: string, extra: Record<string, unknown> = {}) {
  return {
    error: { class: klass, message: `${klass} #${uuid}`, stacktrace: [`at ${klass}.run(App.java:1)`, 'at Main.main(Main.java:9)'], cause: null, ...extra },
    uuid,
    timestamp: ago(minutesAgo),
    severity,
    http_context: {
      request_method: 'POST',
      request_url: `https://shop.example/api/orders/${uuid}`,
      request_headers: { 'Content-Type': 'application/json', 'X-Request-Id': uuid },
      request_body: '{"qty": 2}',
    },
  };
}

const cause = {
  class: 'java.io.IOException',
  message: 'connection reset',
  stacktrace: ['at Socket.read(Socket.java:1)'],
  cause: { class: 'java.net.SocketException', message: 'broken pipe', stacktrace: ['at Socket.write(Socket.java:2)'], cause: null },
};

const payload = {
  target_uuid: 'shop-1',
  aggregated_errors: [
    {
      aggregation_key: PAYMENT,
      total_count: 5,
      severity: 'error',
      latest_errors: [
        occurrence('pay-1', 1, 'com.shop.PaymentFailed', 'error', { cause }),
        occurrence('pay-2', 2, 'com.shop.PaymentFailed', 'error', { cause }),
        occurrence('pay-3', 3, 'com.shop.PaymentFailed', 'error', { cause }),
      ],
    },
    { aggregation_key: SLOW, total_count: 7, severity: 'warning', latest_errors: [occurrence('slow-1', 5, 'com.shop.SlowQuery', 'warning')] },
    { aggregation_key: CACHE, total_count: 2, severity: 'info', latest_errors: [occurrence('cache-1', 30, 'com.shop.CacheMiss', 'info')] },
    {
      aggregation_key: XSS,
      total_count: 1,
      severity: 'error',
      latest_errors: [occurrence('xss-1', 10, 'com.shop.Xss', 'error', { message: XSS_MESSAGE })],
    },
    { aggregation_key: ROUTE, total_count: 3, severity: 'warning', latest_errors: [occurrence('route-1', 20, 'com.shop.Route', 'warning')] },
  ],
};

describe('admin UI in Chromium', () => {
  let target: MockTarget;
  let bigTarget: MockTarget;
  let periskop: PeriskopUnderTest;
  let events: { dir: string; remove: () => Promise<void> };
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    await mkdir(ARTIFACTS, { recursive: true });
    target = await MockTarget.start();
    target.body = payload;
    // Newest first: error i happened i seconds before the newest.
    const newest = Date.now() - 60_000;
    bigTarget = await MockTarget.start();
    bigTarget.body = JSON.stringify(
      errorsPayload(
        'bulk-1',
        Array.from({ length: BIG_COUNT }, (_, i) => ({
          key: bigKey(i),
          total: 1,
          occurrences: [{ uuid: `bulk-${i}`, timestamp: new Date(newest - i * 1000).toISOString(), message: `#${i}` }],
        })),
      ),
    );
    events = await temporaryDir();
    periskop = await PeriskopUnderTest.start({
      events: { type: 'embedded', path: events.dir },
      services: [
        {
          name: SERVICE,
          static_configs: [{ targets: [target.address], labels: { version: '1.4.2' } }],
          scraper: { endpoint: '/errors', refresh_interval: '100ms' },
          breakdown_labels: ['version'],
        },
        // Scraped once at start (and again after 30 s, adding nothing): the projection of 10,000 rows runs meanwhile.
        { name: BIG, static_configs: [{ targets: [bigTarget.address] }], scraper: { endpoint: '/errors', refresh_interval: '30s' } },
      ],
    });
    await waitFor(async () => (await periskop.get(`/api/services/${encodeURIComponent(SERVICE)}/errors`)).json().total === 5, 10_000, 'five errors');
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // The server's Content-Security-Policy must never block anything the UI does.
    await collectCspViolations(page, pageErrors);
  }, 40_000);

  afterAll(async () => {
    await browser?.close();
    await periskop?.stop();
    await target?.stop();
    await bigTarget?.stop();
    await events?.remove();
  });

  const keys = () => page.locator('[data-testid="error-key"]').allTextContents();
  const listed = (expected: string[]) =>
    waitFor(async () => JSON.stringify(await keys()) === JSON.stringify(expected), 10_000, `the list ${JSON.stringify(expected)}`).catch(async (error) => {
      throw new Error(`${(error as Error).message}; shown: ${JSON.stringify(await keys())}`);
    });
  const text = async (testId: string) => ((await page.locator(`[data-testid="${testId}"]`).first().textContent()) ?? '').trim();
  /** The page renders after a click asynchronously: poll until `testId` says `expected`. */
  const shows = async (testId: string, expected: string) => {
    await waitFor(async () => (await text(testId)) === expected, 5_000, `${testId} to show ${JSON.stringify(expected)}`).catch(async (error) => {
      throw new Error(`${(error as Error).message}; shown: ${JSON.stringify(await text(testId))}`);
    });
  };

  it('opens home, then a service, and lists its errors newest first', async () => {
    await page.goto(periskop.baseUrl + '/');
    await page.locator('[data-testid="service"]', { hasText: SERVICE }).waitFor();
    await page.locator('[data-testid="service"] .badge', { hasText: '5' }).waitFor();
    expect(await text('updated')).toMatch(/updated \d+s ago/);
    await page.screenshot({ path: `${ARTIFACTS}ui-home.png` });

    await page.locator('[data-testid="service"]', { hasText: SERVICE }).click();
    await listed([PAYMENT, SLOW, XSS, ROUTE, CACHE]);
    expect(new URL(page.url()).hash).toBe(`#/${encodeURIComponent(SERVICE)}`);
    await shows('list-meta', '5 open errors');
    await page.screenshot({ path: `${ARTIFACTS}ui-list.png` });
  });

  it('filters by severity, sorts by event count and searches', async () => {
    await page.locator('[data-testid="severity-warning"]').click();
    await listed([SLOW, ROUTE]);
    await page.locator('[data-testid="severity-info"]').click();
    await listed([CACHE]);
    await page.locator('[data-testid="severity-all"]').click();
    await page.locator('[data-testid="sort"]').selectOption('total_count');
    await listed([SLOW, PAYMENT, ROUTE, CACHE, XSS]);
    await page.locator('[data-testid="sort"]').selectOption('last_seen');

    // '/' focuses the search; the server searches keys and occurrence text.
    await page.locator('body').press('/');
    await page.keyboard.type('orders/pay-2');
    await listed([PAYMENT]);
    await page.locator('[data-testid="search"]').fill('');
    await listed([PAYMENT, SLOW, XSS, ROUTE, CACHE]);
  });

  it('opens an error by the Go deep link and steps through its occurrences', async () => {
    await page.goto(`${periskop.baseUrl}/#/${encodeURIComponent(SERVICE)}/errors/${encodeURIComponent(PAYMENT)}`);
    await page.locator('[data-testid="detail-key"]', { hasText: PAYMENT }).waitFor();
    await shows('detail-count', '5');
    await shows('occurrence-position', '1/3');
    await shows('occurrence-uuid', 'pay-1');
    expect(await text('curl')).toBe(
      `curl -X POST -H 'Content-Type: application/json' -H 'X-Request-Id: pay-1' --data-raw '{"qty": 2}' https://shop.example/api/orders/pay-1`,
    );
    expect(await page.locator('[data-testid="class"]').allTextContents()).toEqual(['com.shop.PaymentFailed', 'java.io.IOException', 'java.net.SocketException']);
    await page.locator('[data-testid="next"]').click();
    await shows('occurrence-position', '2/3');
    await shows('occurrence-uuid', 'pay-2');
    await page.locator('[data-testid="previous"]').click();
    await page.locator('[data-testid="previous"]').click();
    await shows('occurrence-position', '3/3');
    await shows('occurrence-uuid', 'pay-3');
    await page.screenshot({ path: `${ARTIFACTS}ui-detail.png` });

    // A key with '/', '(', ';' and braces survives the deep link.
    await page.goto(`${periskop.baseUrl}/#/${encodeURIComponent(SERVICE)}/errors/${encodeURIComponent(ROUTE)}`);
    await page.locator('[data-testid="detail-key"]', { hasText: ROUTE }).waitFor();
  });

  it('charts the occurrences over time, with a bar for the scrape', async () => {
    await page.goto(`${periskop.baseUrl}/#/${enc(SERVICE)}/errors/${enc(PAYMENT)}`);
    await page.locator('[data-testid="detail-key"]', { hasText: PAYMENT }).waitFor();
    // Last 7 days by hour by default; the first scrape counted all 5 in the current hour.
    const chart = page.locator('[data-testid="occurrence-chart"][data-step="1h"]');
    const bar = chart.locator('[data-testid="chart-bar"]').last();
    await bar.waitFor();
    expect(Number(await bar.getAttribute('data-count'))).toBeGreaterThan(0);
    expect(Number(await bar.getAttribute('height'))).toBeGreaterThan(0);
    expect(await chart.locator('rect.hit').count()).toBe(168);
    expect(await chart.locator('[data-testid="chart-svg"]').getAttribute('aria-label')).toMatch(
      /^Occurrences per hour over the last 7 days: 5 in total, at most \d+ in one hour, at \d{4}-\d\d-\d\d \d\d:00 UTC\.$/,
    );
    const box = (await bar.boundingBox())!;
    expect(box.height).toBeGreaterThan(0);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await waitFor(async () => /^\d{4}-\d\d-\d\d \d\d:00 UTC: \d+ occurrences?$/.test(await text('chart-readout')), 5_000, 'the hovered hour');
    await page.screenshot({ path: `${ARTIFACTS}ui-chart.png` });

    // Last 6 hours by minute.
    await page.locator('[data-testid="chart-6h"]').click();
    const minutes = page.locator('[data-testid="occurrence-chart"][data-step="1m"]');
    await minutes.locator('[data-testid="chart-bar"]').first().waitFor();
    expect(await minutes.locator('rect.hit').count()).toBe(360);
    expect(await minutes.locator('[data-testid="chart-svg"]').getAttribute('aria-label')).toContain('5 in total');
  });

  it('shows the breakdown by target label on the error page, and a sparkline per error in the list', async () => {
    await page.goto(`${periskop.baseUrl}/#/${enc(SERVICE)}/errors/${enc(PAYMENT)}`);
    await page.locator('[data-testid="detail-key"]', { hasText: PAYMENT }).waitFor();
    await shows('breakdown-first', 'first seen in 1.4.2');
    const row = page.locator('[data-testid="breakdown-value"]').first();
    expect((await row.locator('.value').textContent())?.trim()).toBe('1.4.2');
    expect((await row.locator('.count').textContent())?.trim()).toBe('5');
    await page.screenshot({ path: `${ARTIFACTS}ui-breakdown.png` });

    const sparkline = page.locator('[data-testid="error-item"]', { hasText: PAYMENT }).locator('[data-testid="sparkline"]');
    expect(await sparkline.getAttribute('aria-label')).toMatch(/^5 occurrences in the last 24 hours, at most 5 in one hour$/);
  });

  it('resolves an error: gone from the list, kept gone by the server, listed under Resolved', async () => {
    await page.goto(`${periskop.baseUrl}/#/${encodeURIComponent(SERVICE)}/errors/${encodeURIComponent(PAYMENT)}`);
    await listed([PAYMENT, SLOW, XSS, ROUTE, CACHE]);
    await page.locator('[data-testid="resolve"]').click();
    await listed([SLOW, XSS, ROUTE, CACHE]);
    await page.locator('[data-testid="resolved-notice"]').waitFor();
    await page.locator('[data-testid="detail-key"]', { hasText: SLOW }).waitFor(); // the next error opens

    await periskop.settled();
    const open = (await periskop.get(`/api/services/${encodeURIComponent(SERVICE)}/errors`)).json();
    expect(open.items.map((e: { aggregation_key: string }) => e.aggregation_key)).not.toContain(PAYMENT);
    await page.reload();
    await listed([SLOW, XSS, ROUTE, CACHE]);
    await page.locator('[data-testid="status-resolved"]').click();
    await listed([PAYMENT]);
  });

  it('marks an error that comes back after its resolve as regressed', async () => {
    const [payment, ...others] = payload.aggregated_errors;
    target.body = {
      ...payload,
      aggregated_errors: [{ ...payment, total_count: 6, latest_errors: [occurrence('pay-0', 0, 'com.shop.PaymentFailed', 'error'), ...payment.latest_errors] }, ...others],
    };
    await waitFor(async () => (await periskop.get(`/api/services/${encodeURIComponent(SERVICE)}/errors`)).json().total === 5, 10_000, 'the regression');
    await page.locator('[data-testid="status-open"]').click();
    await listed([PAYMENT, SLOW, XSS, ROUTE, CACHE]);
    await page.locator('.error-item', { hasText: PAYMENT }).locator('[data-testid="regressed"]').waitFor();

    // Auto-refresh can be paused.
    await page.locator('[data-testid="pause"]').click();
    await shows('pause', 'Resume');
    await page.locator('[data-testid="pause"]').click();
    await shows('pause', 'Pause');
  });

  it('shows an error message holding markup as text', async () => {
    await page.goto(`${periskop.baseUrl}/#/${encodeURIComponent(SERVICE)}/errors/${encodeURIComponent(XSS)}`);
    await page.locator('[data-testid="detail-key"]', { hasText: XSS }).waitFor();
    expect(await text('message')).toBe(XSS_MESSAGE);
    await listed([PAYMENT, SLOW, XSS, ROUTE, CACHE]);
    expect(await page.locator('.error-item', { hasText: XSS }).locator('.message-line').textContent()).toBe(`com.shop.Xss: ${XSS_MESSAGE}`);
    expect(await page.locator('main script, main img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('lists a service with 10,000 errors rendering only a window of them, scrolls to the end and moves with j/k', async () => {
    await waitFor(
      async () => (await periskop.get(`/api/services/${enc(BIG)}/errors?limit=1`)).json().total === BIG_COUNT,
      30_000,
      `${BIG_COUNT} errors projected`,
    );
    await page.goto(`${periskop.baseUrl}/#/${enc(BIG)}`);
    await shows('list-meta', `${BIG_COUNT} open errors`);
    await page.locator('[data-testid="error-key"]', { hasText: bigKey(0) }).waitFor();
    const rendered = () => page.locator('[data-testid="error-list"] .vlist-row').count();
    expect(await rendered()).toBeLessThan(60);

    // Down through the list with the wheel, then to the very end.
    const list = page.locator('[data-testid="error-list"]');
    await list.hover();
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, 2_000);
    await waitFor(async () => (await list.evaluate((el) => el.scrollTop)) > 0, 5_000, 'the list to scroll');
    await list.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    const last = page.locator('[data-testid="error-key"]', { hasText: bigKey(BIG_COUNT - 1) });
    await last.waitFor();
    expect(await last.isVisible()).toBe(true);
    expect(await rendered()).toBeLessThan(60);
    expect(await page.locator('[data-testid="error-item"]').count()).toBeLessThan(60);
    await page.screenshot({ path: `${ARTIFACTS}ui-large-list.png` });

    // Open the last error; k moves the selection up and Enter opens it.
    await last.click();
    await page.locator('[data-testid="detail-key"]', { hasText: bigKey(BIG_COUNT - 1) }).waitFor();
    await page.evaluate('document.activeElement && document.activeElement.blur()'); // Enter on a focused link would open that link
    for (let i = 0; i < 3; i++) await page.keyboard.press('k');
    const cursor = page.locator('.error-item.cursor [data-testid="error-key"]');
    await waitFor(async () => ((await cursor.textContent()) ?? '') === bigKey(BIG_COUNT - 4), 5_000, 'the cursor three rows up');
    expect(await cursor.isVisible()).toBe(true);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="detail-key"]', { hasText: bigKey(BIG_COUNT - 4) }).waitFor();

    // Back to the top with j/k from a fresh list: the selection stays in view.
    await page.goto(`${periskop.baseUrl}/#/${enc(BIG)}`);
    await page.reload();
    await page.locator('[data-testid="error-key"]', { hasText: bigKey(0) }).waitFor();
    for (let i = 0; i < 30; i++) await page.keyboard.press('j');
    await waitFor(async () => ((await cursor.textContent()) ?? '') === bigKey(29), 5_000, 'the cursor on row 30');
    expect(await cursor.isVisible()).toBe(true);
    const inView = await page.locator('.error-item.cursor').evaluate((row) => {
      const r = row.getBoundingClientRect();
      const v = row.closest('[data-testid="error-list"]')!.getBoundingClientRect();
      return r.top >= v.top - 1 && r.bottom <= v.bottom + 1;
    });
    expect(inView).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 45_000);
});
