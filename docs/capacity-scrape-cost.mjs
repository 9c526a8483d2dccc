// One-off measurement behind docs/capacity.md: the CPU and memory one Periskop process spends
// scraping a simulated fleet. Until the benchmark suite's "scrape cycle" figure replaces it.
//   npm run build && node docs/capacity-scrape-cost.mjs [instances=500] [keys=20] [interval_s=5] [seconds=30]
// Instances are @periskop/client collectors served by this process (one URL each, own
// target_uuid), each with `keys` errors of ~20-frame stacks and 10 latest occurrences; every
// second 10 % of them report one more occurrence, so scrapes find changes as in a live fleet.
// Periskop (dist/main.js, memory read model, embedded log) is a child process whose CPU time
// and RSS are read from /proc.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCollector, exportErrors } from '@periskop/client';

const [instances = 500, keys = 20, intervalS = 5, seconds = 30] = process.argv.slice(2).map(Number);
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function deepError(key, depth) {
  if (depth > 0) return deepError(key, depth - 1);
  return new Error(`failure ${key}: upstream answered 503 after 3 retries`);
}

const collectors = Array.from({ length: instances }, () => {
  const collector = new ErrorCollector();
  for (let key = 0; key < keys; key++) for (let n = 0; n < 10; n++) collector.report(deepError(key, 20 - (key % 5)), { key: `error-${key}` });
  return collector;
});
const server = createServer((request, response) => {
  const index = Number(/^\/i\/(\d+)\/errors$/.exec(request.url ?? '')?.[1] ?? -1);
  if (!collectors[index]) return response.writeHead(404).end();
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(exportErrors(collectors[index])));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const fleetPort = server.address().port;
const payloadBytes = JSON.stringify(exportErrors(collectors[0])).length;
const churn = setInterval(() => {
  for (let i = 0; i < instances / 10; i++) {
    const key = Math.floor(Math.random() * keys);
    collectors[Math.floor(Math.random() * instances)].report(deepError(key, 20 - (key % 5)), { key: `error-${key}` });
  }
}, 1000);

const dir = mkdtempSync(join(tmpdir(), 'periskop-capacity-'));
const periskopPort = await new Promise((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const targets = collectors.map((_, i) => `http://127.0.0.1:${fleetPort}/i/${i}/errors`);
writeFileSync(join(dir, 'periskop.yaml'), JSON.stringify({
  repository: { type: 'memory' },
  events: { type: 'embedded', path: join(dir, 'events') },
  services: [{ name: 'fleet', static_configs: [{ targets }], scraper: { endpoint: '/errors', refresh_interval: `${intervalS}s` } }],
}));
const child = spawn(process.execPath, [MAIN, '--config', join(dir, 'periskop.yaml'), '--port', String(periskopPort)], { stdio: 'ignore' });
const cpuSeconds = () => {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime + stime
};
const rssMiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024;
// Scrapes done, not planned: the count of Periskop's scrape-duration histogram.
const scrapes = async () => {
  const text = await (await fetch(`http://127.0.0.1:${periskopPort}/metrics`)).text();
  return [...text.matchAll(/^periskop_scrape_duration_seconds_count\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
};
const head = async () => (await (await fetch(`http://127.0.0.1:${periskopPort}/-/projection`)).json()).head;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Warm-up: start, first full scrapes, projector caught up.
await sleep(Math.max(15, 3 * intervalS) * 1000);
const [cpu0, head0, scrapes0, t0] = [cpuSeconds(), await head(), await scrapes(), Date.now()];
await sleep(seconds * 1000);
const [cpu1, head1, scrapes1, t1] = [cpuSeconds(), await head(), await scrapes(), Date.now()];
const wall = (t1 - t0) / 1000;
const cores = (cpu1 - cpu0) / wall;
const scrapesPerSecond = (scrapes1 - scrapes0) / wall;
console.log(JSON.stringify({
  at: new Date().toISOString(),
  command: `node docs/capacity-scrape-cost.mjs ${instances} ${keys} ${intervalS} ${seconds}`,
  instances, keys, intervalSeconds: intervalS, payloadBytes,
  plannedScrapesPerSecond: instances / intervalS, scrapesPerSecond: Math.round(scrapesPerSecond), eventsPerSecond: Math.round((head1 - head0) / wall),
  periskopCores: Number(cores.toFixed(3)),
  scrapesPerSecondPerCore: Math.round(scrapesPerSecond / cores),
  rssMiB: Math.round(rssMiB()),
  loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
}, null, 2));
clearInterval(churn);
child.kill('SIGTERM');
await new Promise((resolve) => child.once('exit', resolve));
server.close();
rmSync(dir, { recursive: true, force: true });
