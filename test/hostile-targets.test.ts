import { readFileSync } from 'node:fs';
import { HOSTILE_REASONS, HostileTarget } from './support/hostile-target.js';
import { MockTarget, errorsPayload } from './support/mock-target.js';
import { PeriskopUnderTest } from './support/periskop-under-test.js';
import { temporaryDir } from './support/test-event-logs.js';
import { waitFor } from './support/wait-for.js';

// One service with good and hostile targets, another good service, on the real server: each
// hostile target costs only its own scrape (ScrapeFailed with its reason on /api/targets and in
// the metrics), the good ones are counted on time, and the server's memory stays bounded
// although two targets answer 60 MiB on every scrape.

const REFRESH_MS = 500;
/** Longer than ON_TIME_MS: a good target waiting behind a hanging one would miss it. */
const HOSTILE_TIMEOUT_MS = 8_000;
/** Ten refresh intervals: generous for a loaded 2-core machine, still well short of a hostile timeout. */
const ON_TIME_MS = 10 * REFRESH_MS;
const MiB = 2 ** 20;

function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')![1]) * 1024;
}

const good = (uuid: string, total: number) =>
  errorsPayload(uuid, [{ key: `Good@${uuid}`, total, occurrences: Array.from({ length: Math.min(total, 5) }, (_, i) => ({ uuid: `${uuid}-${i}`, timestamp: `2024-05-01T10:00:0${i}Z` })) }]);

describe('hostile targets', () => {
  let periskop: PeriskopUnderTest;
  let events: { dir: string; remove: () => Promise<void> };
  let hostile: HostileTarget;
  let goods: MockTarget[];
  let sampler: NodeJS.Timeout;
  const rss: number[] = [];

  beforeAll(async () => {
    events = await temporaryDir();
    hostile = await HostileTarget.start();
    goods = await Promise.all([MockTarget.start(), MockTarget.start(), MockTarget.start()]);
    goods.forEach((target, i) => (target.body = good(`good-${i}`, 1)));
    periskop = await PeriskopUnderTest.start({
      events: { type: 'embedded', path: events.dir },
      services: [
        {
          name: 'mixed',
          static_configs: [{ targets: [goods[0]!.address, goods[1]!.address, ...Object.keys(HOSTILE_REASONS).map((path) => hostile.url(path))] }],
          // Generous, so a loaded machine reading 16 MiB or following 10 redirects is not mistaken for a timeout.
          scraper: { refresh_interval: `${REFRESH_MS}ms`, timeout: `${HOSTILE_TIMEOUT_MS}ms` },
        },
        { name: 'other', static_configs: [{ targets: [goods[2]!.address] }], scraper: { refresh_interval: `${REFRESH_MS}ms`, timeout: `${HOSTILE_TIMEOUT_MS}ms` } },
      ],
    });
    sampler = setInterval(() => rss.push(rssBytes(periskop.pid)), 50);
  });

  afterAll(async () => {
    clearInterval(sampler);
    await periskop.stop();
    await Promise.all([hostile.stop(), ...goods.map((t) => t.stop()), events.remove()]);
  });

  const totalOf = async (service: string, key: string) =>
    (await periskop.get(`/services/${service}/errors/`)).json().find((e: { aggregation_key: string }) => e.aggregation_key === key)?.total_count;

  it('shows every hostile target down with its own reason, and the good ones up', async () => {
    type Target = { endpoint: string; status: string; last_error: { reason: string; detail: string } | null };
    const expected = {
      [goods[0]!.url]: 'up',
      [goods[1]!.url]: 'up',
      ...Object.fromEntries(Object.entries(HOSTILE_REASONS).map(([path, reason]) => [hostile.url(path), reason])),
    };
    let targets: Record<string, Target[]> = {};
    const reasons = () => Object.fromEntries((targets['mixed'] ?? []).map((t) => [t.endpoint, t.last_error?.reason ?? t.status]));
    // Polled: on a loaded machine a target may first fail another way (a slow read timing out).
    await waitFor(async () => {
      targets = (await periskop.get('/api/targets')).json();
      const now = reasons();
      return Object.keys(now).length === Object.keys(expected).length && Object.entries(expected).every(([url, reason]) => now[url] === reason);
    }, 30_000).catch(() => undefined);
    expect(reasons()).toEqual(expected);
    expect(targets['other']!.map((t) => t.status)).toEqual(['up']);
    // The Go route lists them all.
    expect((await periskop.get('/targets/')).json()['mixed']).toHaveLength(2 + Object.keys(HOSTILE_REASONS).length);
  });

  it('counts the good targets of both services on time while the hostile ones keep failing', async () => {
    await periskop.settled();
    expect(await totalOf('mixed', 'Good@good-0')).toBe(1);
    goods[0]!.body = good('good-0', 4);
    goods[1]!.body = good('good-1', 3);
    goods[2]!.body = good('good-2', 7);
    const changed = performance.now();
    await waitFor(async () => (await totalOf('mixed', 'Good@good-0')) === 4 && (await totalOf('mixed', 'Good@good-1')) === 3 && (await totalOf('other', 'Good@good-2')) === 7, 10_000);
    // Within a few refresh intervals, although most of the service's targets hang, loop or stream 60 MiB.
    expect(performance.now() - changed).toBeLessThan(ON_TIME_MS);
  });

  it('exports each target up or down in the metrics', async () => {
    const metrics = (await periskop.get('/metrics')).body;
    const up = (url: string) => new RegExp(`periskop_target_up\\{[^}]*target="${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"[^}]*\\} (\\d)`).exec(metrics)?.[1];
    for (const path of Object.keys(HOSTILE_REASONS)) expect([path, up(hostile.url(path))]).toEqual([path, '0']);
    for (const target of goods) expect(up(target.url)).toBe('1');
    expect(metrics).toMatch(/periskop_instances_scrapped\{service_name="mixed"\} 2/);
    // Every failed scrape counted by its reason.
    for (const reason of new Set(Object.values(HOSTILE_REASONS))) {
      expect(metrics).toMatch(new RegExp(`periskop_scrape_failures_total\\{service_name="mixed",reason="${reason}"\\} [1-9]`));
    }
    expect(metrics).not.toMatch(/periskop_scrape_failures_total\{service_name="other"/);
  });

  it('records ScrapeFailed when a target starts failing or its reason changes, not every cycle', async () => {
    expect(periskop.log).not.toMatch(/failed unexpectedly/);
    const recorded = [...periskop.log.matchAll(/target (http:\/\/127\.0\.0\.1:\d+\/[a-z0-9-]+): ([a-z_]+):/g)].map((m) => `${m[1]} ${m[2]}`);
    for (const [path, reason] of Object.entries(HOSTILE_REASONS)) expect(recorded).toContain(`${hostile.url(path)} ${reason}`);
    const cycles = (await periskop.get('/metrics')).body.match(/periskop_scrape_failures_total\{service_name="mixed",reason="[a-z_]+"\} (\d+)/g)!.map((line) => Number(line.split(' ')[1])).reduce((a, b) => a + b);
    // Each hostile target failed on every cycle, but is recorded about once.
    expect(cycles).toBeGreaterThan(3 * recorded.length);
    expect(recorded.length).toBeLessThan(2 * Object.keys(HOSTILE_REASONS).length);
  });

  it('warns of no listener leak with more scrapes in flight than the 10 Node allows by default', async () => {
    // 13 targets, scraped at once from the start, the never-ending ones for 8 s each.
    await waitFor(async () => (await periskop.get('/metrics')).body.includes('reason="timeout"'), 30_000, 'a scrape timed out');
    expect(periskop.log).not.toContain('MaxListenersExceededWarning');
  });

  it('keeps the server memory bounded while 60 MiB answers are refused', async () => {
    // At least 10 refresh intervals: 20 answers of 60 MiB offered.
    await waitFor(() => rss.length >= (10 * REFRESH_MS) / 50, 20_000);
    const peak = Math.max(...rss);
    process.stdout.write(`hostile targets: server RSS peak ${(peak / MiB).toFixed(0)} MiB over ${rss.length} samples\n`);
    // Two 60 MiB answers per cycle: buffering them would take 120 MiB more than the limit allows.
    expect(peak).toBeLessThan(300 * MiB);
  });
});
