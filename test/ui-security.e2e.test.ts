import type { Browser, BrowserContext, Page } from 'playwright-core';
import { collectCspViolations, launchBrowser } from './support/browser.js';
import { MockTarget, errorsPayload } from './support/mock-target.js';
import { PeriskopUnderTest } from './support/periskop-under-test.js';
import { temporaryDir } from './support/test-event-logs.js';
import { waitFor } from './support/wait-for.js';

// The UI in Chromium against a server with read auth (basic: the browser's own prompt, given
// here as the context's credentials) and write auth (a bearer token the UI does not have): the
// UI works, a resolve shows the server's 401 message, and the Content-Security-Policy is never
// violated.

const SERVICE = 'shop';
const KEY = 'com.shop.PaymentFailed@e28e036e';

describe('UI with authentication and a Content-Security-Policy', () => {
  let target: MockTarget;
  let periskop: PeriskopUnderTest;
  let events: { dir: string; remove: () => Promise<void> };
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const violations: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    target = await MockTarget.start();
    target.body = errorsPayload('shop-1', [{ key: KEY, total: 3, occurrences: [{ uuid: 'o-1', timestamp: new Date(Date.now() - 60_000).toISOString() }] }]);
    events = await temporaryDir();
    periskop = await PeriskopUnderTest.start({
      events: { type: 'embedded', path: events.dir },
      server: { auth: { read: { basic_auth: { username: 'ann', password: 'read-pw' } }, write: { bearer_token: 'write-token' } } },
      services: [{ name: SERVICE, static_configs: [{ targets: [target.address] }], scraper: { refresh_interval: '200ms' } }],
    });
    await waitFor(async () => (await periskop.projection()).checkpoint > 0, 10_000, 'the first scrape');
    context = await browser.newContext({ httpCredentials: { username: 'ann', password: 'read-pw' }, viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await collectCspViolations(page, violations);
  }, 40_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await periskop?.stop();
    await target?.stop();
    await events?.remove();
  });

  it('makes the browser ask for a login before anything is shown', async () => {
    // Headless Chromium has no one to ask, so the basic auth challenge ends the navigation.
    const anonymous = await browser.newContext();
    await expect((await anonymous.newPage()).goto(periskop.baseUrl + '/')).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    await anonymous.close();
  });

  it('shows services and errors with the read credentials', async () => {
    await page.goto(periskop.baseUrl + '/');
    await page.locator('[data-testid="service"]', { hasText: SERVICE }).click();
    await page.locator('[data-testid="error-key"]', { hasText: KEY }).waitFor();
    await page.goto(`${periskop.baseUrl}/#/${SERVICE}/errors/${encodeURIComponent(KEY)}`);
    await page.locator('[data-testid="detail-key"]', { hasText: KEY }).waitFor();
    await page.goto(`${periskop.baseUrl}/#/targets`);
    await page.locator('body', { hasText: target.address }).waitFor();
  });

  it('shows the server message when a resolve needs write credentials', async () => {
    await page.goto(`${periskop.baseUrl}/#/${SERVICE}/errors/${encodeURIComponent(KEY)}`);
    await page.locator('[data-testid="resolve"]').click();
    const alert = page.locator('[role="alert"]', { hasText: 'Resolving failed' });
    await alert.waitFor();
    // Read credentials are known but may not change anything: 403, with the server's reason.
    expect((await alert.textContent())?.trim()).toMatch(
      /^Resolving failed: HTTP 403 — DELETE \/services\/shop\/errors\/com\.shop\.PaymentFailed@e28e036e\/ changes data: it needs write credentials \(server\.auth\.write\); the ones sent may only read\./,
    );
  });

  it('never violated the Content-Security-Policy, and threw nothing', () => {
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
