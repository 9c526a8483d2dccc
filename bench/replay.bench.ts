import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/index.js';
import { EmbeddedEventLog } from '../src/events/embedded-event-log.js';
import { EventStore, type EventToPublish } from '../src/events/event-store.js';
import { apply, emptyProjectionState } from '../src/projector/projection.js';
import { replayReadModel } from '../src/replay.js';
import { DEFAULT_FLEET, SyntheticFleet, type FleetShape } from './synthetic-fleet.js';

// Replay benchmark: writes a realistic event log into an embedded log, then rebuilds a SQLite
// (file) read model from it through `replayReadModel`, the code path of `periskop replay`.
// Two more passes over the same log split the cost: reading + decoding alone, and folding the
// events in memory alone (no database); what the full replay takes beyond both is the read
// model's load/commit. See bench/README.md.

const GOAL_EVENTS_PER_SECOND = 20_000;
/** The projector's batch size (src/projector/projector.ts). */
const READ_BATCH = 500;
const PUBLISH_BATCH = 1_000;

interface Options {
  events: number;
  seed: number;
  keep: boolean;
  save: boolean;
  shape: Omit<FleetShape, 'seed'>;
}

const USAGE = `Usage: npm run bench -- [--quick] [--events N] [--seed N] [--services N] [--targets N] [--keys N]
                        [--stack-frames N] [--keep] [--no-save]
  --quick        20,000 events instead of 200,000
  --events N     events to write and replay
  --seed N       seed of the generated fleet (default 1)
  --services N, --targets N (per service), --keys N (per service), --stack-frames N
                 the fleet's shape (defaults ${DEFAULT_FLEET.services}, ${DEFAULT_FLEET.targetsPerService}, ${DEFAULT_FLEET.keysPerService}, ${DEFAULT_FLEET.stackFrames})
  --keep         keep the temporary directory (log and read model) and print its path
  --no-save      do not write bench/results/<date>.json
`;

function parseArgs(argv: string[]): Options {
  const options: Options = { events: 200_000, seed: 1, keep: false, save: true, shape: { ...DEFAULT_FLEET } };
  const int = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (value === undefined || !Number.isSafeInteger(n) || n <= 0) throw new Error(`${flag} needs a positive integer`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    switch (arg) {
      case '--quick':
        options.events = 20_000;
        break;
      case '--events':
        options.events = int(arg, argv[++i]);
        break;
      case '--seed':
        options.seed = int(arg, argv[++i]);
        break;
      case '--services':
        options.shape.services = int(arg, argv[++i]);
        break;
      case '--targets':
        options.shape.targetsPerService = int(arg, argv[++i]);
        break;
      case '--keys':
        options.shape.keysPerService = int(arg, argv[++i]);
        break;
      case '--stack-frames':
        options.shape.stackFrames = int(arg, argv[++i]);
        break;
      case '--keep':
        options.keep = true;
        break;
      case '--no-save':
        options.save = false;
        break;
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        process.exit(0);
      default:
        throw new Error(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
    }
  }
  return options;
}

interface Phase {
  phase: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

function phase(name: string, events: number, seconds: number): Phase {
  return { phase: name, events, seconds: round(seconds, 3), eventsPerSecond: Math.round(events / seconds) };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

function progress(label: string, done: number, total: number): void {
  if (process.stderr.isTTY) process.stderr.write(`\r${label} ${done}/${total}   `);
}

function endProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}

async function writeLog(dir: string, options: Options): Promise<{ phase: Phase; bytes: number; messages: number }> {
  const fleet = new SyntheticFleet({ ...options.shape, seed: options.seed });
  const log = EmbeddedEventLog.open(dir);
  const store = new EventStore(log);
  let bytes = 0;
  let publishSeconds = 0;
  try {
    for (let written = 0; written < options.events; ) {
      const items: EventToPublish[] = [];
      const n = Math.min(PUBLISH_BATCH, options.events - written);
      for (let i = 0; i < n; i++) {
        const event = fleet.nextSnapshot();
        bytes += Buffer.byteLength(JSON.stringify(event));
        items.push({ id: `bench-${options.seed}-${written + i}`, event });
      }
      // Only the publish is timed, not generating the events.
      const started = performance.now();
      await store.publish(items);
      publishSeconds += (performance.now() - started) / 1000;
      written += n;
      progress('writing', written, options.events);
    }
    endProgress();
    const messages = await log.head();
    return { phase: phase('write: EventStore.publish (embedded, 1,000 per call)', options.events, publishSeconds), bytes, messages };
  } finally {
    await log.close();
  }
}

async function replayPhase(configFile: string, events: number): Promise<{ replay: Phase; wall: Phase }> {
  const config = loadConfig(configFile, {});
  const started = performance.now();
  const report = await replayReadModel(config, (applied, head) => progress('replaying', applied, head));
  const wallSeconds = (performance.now() - started) / 1000;
  endProgress();
  if (report.events !== events) throw new Error(`replay applied ${report.events} events, the log holds ${events}`);
  return {
    replay: phase('replay: replayReadModel, as periskop replay reports it', report.events, report.seconds),
    wall: phase('  the same, wall clock with opening/closing the log and database', report.events, wallSeconds),
  };
}

/** Read + decode only: what the replay costs before the projector and the database. */
async function readPhase(dir: string): Promise<Phase> {
  const log = EmbeddedEventLog.open(dir);
  const store = new EventStore(log);
  try {
    const head = await log.head();
    const started = performance.now();
    let events = 0;
    for (let from = 1; from <= head; ) {
      const batch = await store.read(from, READ_BATCH);
      events += batch.events.length;
      from = batch.throughSeq + 1;
    }
    return phase('  read + decode only (EventStore.read, 500 per batch)', events, (performance.now() - started) / 1000);
  } finally {
    await log.close();
  }
}

/** Read, decode and fold in memory: the projection rules without the database. */
async function foldPhase(dir: string): Promise<Phase> {
  const log = EmbeddedEventLog.open(dir);
  const store = new EventStore(log);
  try {
    const head = await log.head();
    const state = emptyProjectionState();
    const started = performance.now();
    let events = 0;
    for (let from = 1; from <= head; ) {
      const batch = await store.read(from, READ_BATCH);
      for (const { event } of batch.events) apply(state, event);
      events += batch.events.length;
      from = batch.throughSeq + 1;
    }
    return phase('  read + decode + fold in memory (no database)', events, (performance.now() - started) / 1000);
  } finally {
    await log.close();
  }
}

function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the benchmark');
    dir = parent;
  }
  return dir;
}

function commandLine(root: string, args: string[]): string {
  if (process.env.npm_lifecycle_event === 'bench') return ['npm run bench', ...(args.length > 0 ? ['--', ...args] : [])].join(' ');
  return ['node', ...process.execArgv, relative(root, process.argv[1]!), ...args].join(' ');
}

function printTable(phases: Phase[]): void {
  const header = ['phase', 'events', 'seconds', 'events/s'];
  const rows = phases.map((p) => [p.phase, p.events.toLocaleString('en-US'), p.seconds.toFixed(2), p.eventsPerSecond.toLocaleString('en-US')]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n`);
}

async function main(): Promise<void> {
  // Other work on the machine skews every figure: recorded before and after.
  const loadBefore = loadavg().map((n) => round(n, 2));
  const args = process.argv.slice(2);
  const options = parseArgs(args);
  const root = repositoryRoot();
  const command = commandLine(root, args);
  const dir = await mkdtemp(join(tmpdir(), 'periskop-bench-'));
  const eventsDir = join(dir, 'events');
  const readModel = join(dir, 'read-model.sqlite');
  const configFile = join(dir, 'periskop.yaml');
  await writeFile(
    configFile,
    `repository:\n  type: sqlite\n  path: ${JSON.stringify(readModel)}\nevents:\n  type: embedded\n  path: ${JSON.stringify(eventsDir)}\nservices: []\n`,
  );
  try {
    const { shape } = options;
    process.stdout.write(
      `replay benchmark: ${options.events.toLocaleString('en-US')} SnapshotScraped events (1–5 changed keys, 1–3 new occurrences each, ` +
        `${shape.stackFrames}-frame stacks); ${shape.services} services × ${shape.targetsPerService} targets × ${shape.keysPerService} keys; seed ${options.seed}\n`,
    );
    const write = await writeLog(eventsDir, options);
    const logBytes = statSync(join(eventsDir, 'events.sqlite')).size;
    process.stdout.write(
      `log: ${write.messages.toLocaleString('en-US')} messages, ${(write.bytes / 1e6).toFixed(0)} MB of event JSON ` +
        `(${Math.round(write.bytes / options.events)} B/event), ${(logBytes / 1e6).toFixed(0)} MB on disk\n\n`,
    );
    const { replay, wall } = await replayPhase(configFile, options.events);
    const readModelBytes = statSync(readModel).size;
    const read = await readPhase(eventsDir);
    const fold = await foldPhase(eventsDir);
    const phases = [write.phase, replay, wall, read, fold];
    printTable(phases);
    const met = replay.eventsPerSecond >= GOAL_EVENTS_PER_SECOND;
    process.stdout.write(
      `\nread model: ${(readModelBytes / 1e6).toFixed(0)} MB SQLite file; load average ${loadBefore[0]} before, ${round(loadavg()[0]!, 2)} after (${cpus().length} CPUs)\n` +
        `goal ≥ ${GOAL_EVENTS_PER_SECOND.toLocaleString('en-US')} events/s on SQLite: ${met ? 'met' : 'MISSED'} (${replay.eventsPerSecond.toLocaleString('en-US')} events/s)\n`,
    );

    if (options.save) {
      const resultsDir = join(root, 'bench', 'results');
      mkdirSync(resultsDir, { recursive: true });
      const file = join(resultsDir, `${new Date().toISOString().slice(0, 10)}.json`);
      const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { runs: unknown[] }) : { runs: [] };
      previous.runs.push({
        at: new Date().toISOString(),
        command,
        argv: [process.execPath, ...process.execArgv, ...process.argv.slice(1)],
        goalEventsPerSecond: GOAL_EVENTS_PER_SECOND,
        goalMet: met,
        replayEventsPerSecond: replay.eventsPerSecond,
        phases,
        log: { events: options.events, messages: write.messages, eventJsonBytes: write.bytes, fileBytes: logBytes },
        readModel: { type: 'sqlite', fileBytes: readModelBytes },
        fleet: { ...shape, seed: options.seed },
        environment: {
          node: process.version,
          platform: `${process.platform} ${process.arch}`,
          cpu: cpus()[0]?.model ?? 'unknown',
          cpus: cpus().length,
          loadAverageBefore: loadBefore,
          loadAverageAfter: loadavg().map((n) => round(n, 2)),
        },
      });
      writeFileSync(file, `${JSON.stringify(previous, null, 2)}\n`);
      process.stdout.write(`results: ${relative(process.cwd(), file)}\n`);
    }
  } finally {
    if (options.keep) process.stdout.write(`kept ${dir}\n`);
    else await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`replay benchmark: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
