import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './support/browser.js';
import { MockTarget, errorsPayload } from './support/mock-target.js';
import { PeriskopUnderTest } from './support/periskop-under-test.js';
import { temporaryDir } from './support/test-event-logs.js';
import { waitFor } from './support/wait-for.js';

// The service page's time picker in Chromium, against the real server: the list switches to
// how the service stood at a past second, and back to live.

const SERVICE = 'shop.checkout';
const occurrences = (...uuids: string[]) => uuids.map((uuid) => ({ uuid, timestamp: '2026-11-23T10:00:00Z' }));

describe('time picker in Chromium', () => {
  let target: MockTarget;
  let periskop: PeriskopUnderTest;
  let events: { dir: string; remove: () => Promise<void> };
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    target = await MockTarget.start();
    events = await temporaryDir();
  });

  afterAll(async () => {
    await browser?.close();
    await periskop?.stop();
    await target?.stop();
    await events?.remove();
  });

  async function scraped(): Promise<void> {
    const hits = target.hits;
    await waitFor(() => target.hits >= hits + 3, 10_000, 'three scrapes');
    await periskop.settled();
  }

  const counts = async () => (await page.locator('[data-testid="error-item"] .badge.count').allTextContents()).join(',');
  const shows = (expected: string) =>
    waitFor(async () => (await counts()) === expected, 20_000, `counts ${expected}`).catch(async (error) => {
      throw new Error(`${(error as Error).message}; shown: ${await counts()}`);
    });

  it('shows the list as it stood at the picked second, then live again', async () => {
    target.body = errorsPayload('shop-1', [{ key: 'com.shop.Timeout@1', total: 2, occurrences: occurrences('t1', 't2') }]);
    periskop = await PeriskopUnderTest.start({
      events: { type: 'embedded', path: events.dir },
      services: [{ name: SERVICE, static_configs: [{ targets: [target.address] }], scraper: { endpoint: '/errors', refresh_interval: '100ms' } }],
    });
    await scraped();
    // The picker has whole seconds: the next one after everything recorded so far.
    const picked = new Date(Math.ceil((Date.now() + 1) / 1000) * 1000);
    await waitFor(() => Date.now() > picked.getTime() + 1, 2_000);
    target.body = errorsPayload('shop-1', [{ key: 'com.shop.Timeout@1', total: 9, occurrences: occurrences('t1', 't2', 't3') }]);
    await scraped();

    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${periskop.baseUrl}/#/${encodeURIComponent(SERVICE)}`);
    await shows('9');

    await page.locator('[data-testid="at-picker"]').fill(picked.toISOString().slice(0, 19));
    await shows('2');
    expect(decodeURIComponent(new URL(page.url()).hash)).toBe(`#/${SERVICE}?at=${picked.toISOString().replace('.000Z', 'Z')}`);
    expect(await page.locator('[data-testid="list-meta"]').textContent()).toContain(`at ${picked.toISOString().slice(0, 10)} ${picked.toISOString().slice(11, 19)} UTC`);

    await page.locator('[data-testid="live"]').click();
    await shows('9');
    expect(new URL(page.url()).hash).toBe(`#/${encodeURIComponent(SERVICE)}`);
  }, 60_000);
});
