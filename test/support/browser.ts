import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium; CHROMIUM_BIN points elsewhere. Playwright never downloads a browser here. */
export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

/** The built Angular UI the server serves at `/`. */
export const CLIENT_DIST = fileURLToPath(new URL('../../client/dist/browser', import.meta.url));

/** Fails with what to do when the UI or the browser is missing (CI builds and installs both). */
export function requireUiAndBrowser(): void {
  if (!existsSync(`${CLIENT_DIST}/index.html`)) {
    throw new Error(`The UI is not built: ${CLIENT_DIST}/index.html is missing. Run: npm ci --prefix client && npm run build --prefix client`);
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}. Install it (apt-get install -y chromium) or set CHROMIUM_BIN.`);
  }
}

/** Headless Chromium, offline: no component updates, no sync, no background traffic. */
export async function launchBrowser(): Promise<Browser> {
  requireUiAndBrowser();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * Collects every Content-Security-Policy violation of `page` into `sink`: Chromium's console
 * reports, and the `securitypolicyviolation` events it does not log.
 */
export async function collectCspViolations(page: Page, sink: string[]): Promise<void> {
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) sink.push(message.text());
  });
  await page.addInitScript(
    "document.addEventListener('securitypolicyviolation', (e) => console.error('Content-Security-Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI))",
  );
}
