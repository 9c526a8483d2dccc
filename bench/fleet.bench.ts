import { join } from 'node:path';
import { waitFor } from '../test/support/wait-for.js';
import { atMost, percentile, round, type BenchContext, type Benchmark, type Figure } from './suite.js';
import { RssSamples } from './rss-samples.js';
import { ServerUnderTest } from './server-under-test.js';
import { SimulatedInstances, type InstanceShape } from './simulated-instances.js';

// End-to-end benchmarks against the built server (embedded log, SQLite read model) scraping
// simulated instances (simulated-instances.ts):
// - scrape-cycle: a round changes 5 of the 50 keys of every instance; the cycle time is from
//   the round's start until every instance has been scraped, every snapshot recorded and the
//   projection drained (visible in the API). Refresh interval 1 s: no cycle can be shorter.
//   CPU is the server's user+system time over the measured cycles / their wall time.
// - memory: the same at 10, 100 and 1,000 instances; the server's RSS, read every 100 ms: its
//   highest while the measured cycles ran (the goal's figure), and its peak over the whole run
//   (the first scrape's full snapshots included).
// - freshness: one new occurrence on one instance, from the moment the instance served it to
//   the moment GET /services/:s/errors/ shows it.

const SERVICE = 'fleet';
const GOAL_CYCLE_P95_S = 5;
const GOAL_RSS_RATIO = 1.2;
const GOAL_FRESHNESS_P99_S = 2;
/**
 * How often a cycle's progress is polled: 100 ms bounds the error on a cycle of several
 * seconds. Polls read the log head (`GET /-/projection`); /metrics, 1,000+ target_up series to
 * render at 1,000 instances, only confirms the count at the end: rendered every 20 ms, it was
 * a share of the server's CPU the cycle then waited for.
 */
const PROGRESS_POLL_MS = 100;

/** `timeout` beside the interval: a 1.25 MB payload on a loaded machine can take over 1 s. */
function serverConfig(sim: SimulatedInstances, refreshInterval: string, timeout = '5s') {
  return (dir: string) => ({
    repository: { type: 'sqlite', path: join(dir, 'read-model.sqlite') },
    events: { type: 'embedded', path: join(dir, 'events') },
    services: [{ name: SERVICE, static_configs: [{ targets: sim.targets() }], scraper: { endpoint: '/errors', refresh_interval: refreshInterval, timeout } }],
  });
}

/** Events of a type the server has recorded (its own counter). */
async function recorded(server: ServerUnderTest, type: 'SnapshotScraped' | 'ScrapeFailed'): Promise<number> {
  const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
  const match = new RegExp(`^periskop_events_published_total\\{type="${type}"\\} (\\d+)`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

const snapshotsRecorded = (server: ServerUnderTest) => recorded(server, 'SnapshotScraped');

/**
 * Waits until `count` snapshots are recorded, then until the projection has applied them;
 * returns when the last snapshot was recorded (performance.now()), to tell scraping from projecting.
 * Every recorded snapshot is an event in the log: it holds at least `head` events by then.
 */
async function recordedAndProjected(server: ServerUnderTest, count: number, head: number): Promise<number> {
  await waitFor(async () => (await server.projection()).head >= head, 600_000, `${head} events in the log`, PROGRESS_POLL_MS);
  await waitFor(async () => (await snapshotsRecorded(server)) >= count, 600_000, `${count} snapshots recorded`, PROGRESS_POLL_MS);
  const recordedAt = performance.now();
  await server.drained(600_000, PROGRESS_POLL_MS);
  return recordedAt;
}

interface CycleRun {
  instances: number;
  payloadBytes: number;
  firstScrapeSeconds: number;
  cycleSeconds: number[];
  /** Per cycle: from the round's start until every snapshot was recorded (the rest is projecting). */
  recordedSeconds: number[];
  cpuCores: number;
  /** Highest RSS sampled while the measured cycles ran. */
  rssBytes: number;
  /** Median RSS sampled while the measured cycles ran. */
  rssMedianBytes: number;
  /** Highest RSS sampled over the whole run: the first scrape (every instance's full snapshot) included. */
  rssPeakBytes: number;
  /** RSS right after the first scrape (full snapshots), before the measured cycles. */
  rssAfterFirstScrapeBytes: number;
  /** ScrapeFailed events (a failing target is recorded when its state changes). */
  scrapeFailures: number;
  /** CPU of this process (the simulated instances serving their bodies) over the measured cycles, in cores. */
  simulatedInstancesCpuCores: number;
}

async function scrapeCycles(ctx: BenchContext, shape: InstanceShape, cycles: number): Promise<CycleRun> {
  const sim = new SimulatedInstances(shape);
  await sim.start();
  const t0 = performance.now();
  const server = await ServerUnderTest.start(ctx.root, serverConfig(sim, '1s'));
  const rss = new RssSamples(() => server.rssBytes(), 'first scrape');
  try {
    // The first scrape of every instance carries everything it has: measured apart.
    await server.whileRunning(sim.roundServed);
    await recordedAndProjected(server, shape.instances, shape.instances);
    const firstScrapeSeconds = (performance.now() - t0) / 1000;
    if (process.env['BENCH_SCRAPE_TRACE']) process.stderr.write(`${shape.instances} instances: first scrape ${firstScrapeSeconds.toFixed(2)} s, RSS ${(server.rssBytes() / 1e6).toFixed(0)} MB\n`);
    const cycleSeconds: number[] = [];
    const recordedSeconds: number[] = [];
    const rssAfterFirstScrapeBytes = server.rssBytes();
    rss.enter('cycles');
    const cpuBefore = server.cpuSeconds();
    const simCpuBefore = process.cpuUsage();
    const started = performance.now();
    for (let c = 0; c < cycles; c++) {
      ctx.progress(`${shape.instances} instances: cycle ${c + 1}/${cycles}`);
      const recorded = await snapshotsRecorded(server);
      const { head } = await server.projection();
      const roundStarted = performance.now();
      sim.nextRound();
      await server.whileRunning(sim.roundServed);
      const recordedAt = await recordedAndProjected(server, recorded + shape.instances, head + shape.instances);
      cycleSeconds.push((performance.now() - roundStarted) / 1000);
      recordedSeconds.push((recordedAt - roundStarted) / 1000);
      if (process.env['BENCH_SCRAPE_TRACE']) {
        process.stderr.write(`${shape.instances} instances, cycle ${c + 1}: recorded ${recordedSeconds.at(-1)!.toFixed(2)} s, projected ${cycleSeconds.at(-1)!.toFixed(2)} s, RSS ${(server.rssBytes() / 1e6).toFixed(0)} MB\n`);
      }
    }
    rss.stop();
    const wallSeconds = (performance.now() - started) / 1000;
    const cpuCores = (server.cpuSeconds() - cpuBefore) / wallSeconds;
    const simCpu = process.cpuUsage(simCpuBefore);
    const simulatedInstancesCpuCores = (simCpu.user + simCpu.system) / 1e6 / wallSeconds;
    const scrapeFailures = await recorded(server, 'ScrapeFailed');
    return {
      instances: shape.instances,
      payloadBytes: sim.payloadBytes,
      firstScrapeSeconds,
      cycleSeconds,
      recordedSeconds,
      cpuCores,
      simulatedInstancesCpuCores,
      rssBytes: rss.max('cycles'),
      rssMedianBytes: rss.median('cycles'),
      rssPeakBytes: rss.max(),
      rssAfterFirstScrapeBytes,
      scrapeFailures,
    };
  } finally {
    rss.stop();
    await server.stop(ctx.options.keep);
    await sim.stop();
  }
}

function shapeFor(ctx: BenchContext, instances: number): InstanceShape {
  return { instances, keys: 50, latest: 10, changedKeys: 5, seed: ctx.options.seed };
}

/**
 * BENCH_SCRAPE_TRACE=1 prints every cycle's split (recorded / projected) and RSS to stderr.
 * For profiling one size without the others (e.g. BENCH_SCRAPE_SIZES=1000 BENCH_SCRAPE_CYCLES=3):
 * positive integers, comma-separated; unset keeps the suite's sizes.
 */
function sizesFromEnv(name: string): number[] | null {
  const text = process.env[name];
  if (!text) return null;
  const sizes = text.split(',').map(Number);
  if (sizes.some((n) => !Number.isSafeInteger(n) || n <= 0)) throw new Error(`${name}=${JSON.stringify(text)}: expected positive integers separated by commas`);
  return sizes;
}

export const scrapeCycleBenchmark: Benchmark = {
  name: 'scrape-cycle',
  describe: 'built server scraping 10 / 100 / 1,000 simulated instances × 50 keys × 10 latest errors: cycle time, CPU, RSS',
  async run(ctx: BenchContext): Promise<Figure[]> {
    const sizes = sizesFromEnv('BENCH_SCRAPE_SIZES') ?? (ctx.options.quick ? [5, 10, 20] : [10, 100, 1_000]);
    const cycles = sizesFromEnv('BENCH_SCRAPE_CYCLES')?.[0] ?? (ctx.options.quick ? 2 : 10);
    const runs: CycleRun[] = [];
    for (const n of sizes) runs.push(await scrapeCycles(ctx, shapeFor(ctx, n), cycles));
    const largest = runs.at(-1)!;
    const smallest = runs[0]!;
    const command = ctx.commandFor('scrape-cycle');
    const p50 = percentile(largest.cycleSeconds, 50);
    const p95 = percentile(largest.cycleSeconds, 95);
    const ratio = largest.rssBytes / smallest.rssBytes;
    const details = {
      refreshInterval: '1s',
      scrapeTimeout: '5s',
      keys: 50,
      latestPerKey: 10,
      changedKeysPerRound: 5,
      runs: runs.map((r) => ({ ...r, cycleSeconds: r.cycleSeconds.map((s) => round(s, 3)), recordedSeconds: r.recordedSeconds.map((s) => round(s, 3)), rssMB: round(r.rssBytes / 1e6, 1), rssMedianMB: round(r.rssMedianBytes / 1e6, 1), rssPeakMB: round(r.rssPeakBytes / 1e6, 1), rssAfterFirstScrapeMB: round(r.rssAfterFirstScrapeBytes / 1e6, 1) })),
    };
    const at = `${largest.instances.toLocaleString('en-US')} instances`;
    return [
      { figure: `scrape cycle p50, ${at}`, value: round(p50, 2), unit: 's', goal: null, met: null, command, details },
      { figure: `scrape cycle p95, ${at}`, value: round(p95, 2), unit: 's', goal: `≤ ${GOAL_CYCLE_P95_S}`, met: atMost(p95, GOAL_CYCLE_P95_S), command },
      { figure: `  first scrape of all (full snapshots), ${at}`, value: round(largest.firstScrapeSeconds, 2), unit: 's', goal: null, met: null, command },
      { figure: `scrape cycle CPU, ${at}`, value: round(largest.cpuCores, 2), unit: 'cores', goal: null, met: null, command },
      { figure: `  simulated instances' CPU (bench process), ${at}`, value: round(largest.simulatedInstancesCpuCores, 2), unit: 'cores', goal: null, met: null, command },
      ...runs.flatMap((r) => {
        const size = `${r.instances.toLocaleString('en-US')} instances`;
        const mb = (bytes: number) => round(bytes / 1e6);
        return [
          { figure: `scrape cycle RSS, highest while cycling, ${size}`, value: mb(r.rssBytes), unit: 'MB', goal: null, met: null, command },
          { figure: `  median while cycling, ${size}`, value: mb(r.rssMedianBytes), unit: 'MB', goal: null, met: null, command },
          { figure: `  peak with the first scrape, ${size}`, value: mb(r.rssPeakBytes), unit: 'MB', goal: null, met: null, command },
        ];
      }),
      // One size (BENCH_SCRAPE_SIZES=1000) has nothing to compare with: no ratio, not a met goal.
      ...(runs.length < 2
        ? []
        : [
            {
              figure: `memory: RSS at ${largest.instances.toLocaleString('en-US')} / at ${smallest.instances} instances (highest while cycling)`,
              value: round(ratio, 2),
              unit: '×',
              goal: `≤ ${GOAL_RSS_RATIO}`,
              met: atMost(ratio, GOAL_RSS_RATIO),
              command,
            },
            { figure: `  the same of the medians`, value: round(largest.rssMedianBytes / smallest.rssMedianBytes, 2), unit: '×', goal: null, met: null, command },
            { figure: `  the same of the peaks with the first scrape`, value: round(largest.rssPeakBytes / smallest.rssPeakBytes, 2), unit: '×', goal: null, met: null, command },
          ]),
    ];
  },
};

export const freshnessBenchmark: Benchmark = {
  name: 'freshness',
  describe: 'scrape → visible in GET /services/:s/errors/, built server, 10 instances, refresh 500 ms',
  async run(ctx: BenchContext): Promise<Figure[]> {
    const samples = ctx.options.quick ? 5 : 100;
    const sim = new SimulatedInstances({ instances: 10, keys: 5, latest: 3, changedKeys: 1, seed: ctx.options.seed });
    await sim.start();
    const server = await ServerUnderTest.start(ctx.root, serverConfig(sim, '500ms'));
    const seconds: number[] = [];
    try {
      await server.whileRunning(sim.roundServed);
      await recordedAndProjected(server, 10, 10);
      const url = `${server.baseUrl}/services/${encodeURIComponent(SERVICE)}/errors/`;
      for (let i = 0; i < samples; i++) {
        ctx.progress(`sample ${i + 1}/${samples}`);
        const uuid = sim.newWatchedOccurrence();
        const visibleAt = await waitFor(
          async () => ((await (await fetch(url)).text()).includes(uuid) ? performance.now() : null),
          30_000,
          `occurrence ${uuid} in the API`,
        );
        seconds.push((visibleAt - sim.servedAt(uuid)!) / 1000);
      }
    } finally {
      await server.stop(ctx.options.keep);
      await sim.stop();
    }
    const p99 = percentile(seconds, 99);
    const command = ctx.commandFor('freshness');
    return [
      {
        figure: 'freshness: scrape → visible in the API, p99',
        value: round(p99, 3),
        unit: 's',
        goal: `≤ ${GOAL_FRESHNESS_P99_S}`,
        met: atMost(p99, GOAL_FRESHNESS_P99_S),
        command,
        details: { samples, p50: round(percentile(seconds, 50), 3), max: round(Math.max(...seconds), 3), pollIntervalMs: 20 },
      },
    ];
  },
};

export const fleetBenchmarks: Benchmark[] = [scrapeCycleBenchmark, freshnessBenchmark];
