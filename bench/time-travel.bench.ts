import { DEFAULT_OCCURRENCE_RETENTION_MS } from '../src/config/server-config.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { Logger } from '@nestjs/common';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeriskopConfig } from '../src/config/config.types.js';
import { DEFAULT_SNAPSHOTS } from '../src/config/snapshot-config.js';
import { EmbeddedEventLog } from '../src/events/embedded-event-log.js';
import { EventStore, type EventToPublish } from '../src/events/event-store.js';
import { DirectorySnapshotStore } from '../src/history/directory-snapshot-store.js';
import { SnapshotTaker } from '../src/history/snapshot-taker.js';
import { TimeTravel } from '../src/history/time-travel.js';
import { Projector } from '../src/projector/projector.js';
import { ProjectionStore } from '../src/read-model/projection-store.js';
import { ReadModelDatabase } from '../src/read-model/read-model-database.js';
import { ReadModelQueries } from '../src/read-model/read-model-queries.js';
import { replayReadModel } from '../src/replay.js';
import { SyntheticFleet } from './synthetic-fleet.js';
import type { BenchContext, Benchmark, Figure } from './suite.js';

// Time-travel benchmark: one service with N events in an embedded log (1,000,000 by default),
// read-model snapshots every `snapshotEvery` events; then
//  - how long `GET /services/:service/errors/?at=` takes to build its answer (TimeTravel, the
//    code behind it) at times spread over the log, cold (snapshot read from disk) and warm;
//  - `periskop replay --from-snapshot` against a full `periskop replay`, answers compared.
// Run: tsc -p bench/tsconfig.json && node dist-bench/bench/time-travel.bench.js [--quick]

export interface TimeTravelBenchOptions {
  events: number;
  snapshotEvery: number;
  /** Times asked about, spread evenly over the log. */
  questions: number;
  seed: number;
}

export interface TimeTravelBenchResult {
  options: TimeTravelBenchOptions;
  writeSeconds: number;
  replayWithSnapshotsSeconds: number;
  snapshots: number;
  snapshotBytes: number;
  timeTravel: { coldMs: number[]; warmMs: number[]; foldedEvents: number[]; p50WarmMs: number; maxColdMs: number };
  fullReplaySeconds: number;
  snapshotReplay: { seconds: number; fromSeq: number; tailEvents: number };
  answersEqual: boolean;
  loadAverage: { before: number; after: number };
}

const SERVICE_SHAPE = { services: 1, targetsPerService: 20, keysPerService: 50, stackFrames: 3 };
const PUBLISH_BATCH = 1_000;
const REPLAY_BATCH = 5_000;

export async function runTimeTravelBench(options: TimeTravelBenchOptions, log: (line: string) => void = () => undefined): Promise<TimeTravelBenchResult> {
  const before = loadavg()[0]!;
  const dir = await mkdtemp(join(tmpdir(), 'periskop-time-travel-bench-'));
  const eventsDir = join(dir, 'events');
  const config = (file: string): PeriskopConfig => ({
    file: join(dir, 'periskop.yaml'),
    repository: { type: 'sqlite', path: join(dir, file) },
    events: { type: 'embedded', path: eventsDir, snapshots: { ...DEFAULT_SNAPSHOTS, every: options.snapshotEvery } },
    server: { port: 0, metricsKeysPerService: 1000, metricsBreakdownLabel: null, occurrenceRetentionMs: DEFAULT_OCCURRENCE_RETENTION_MS },
    services: [],
  });
  const eventLog = EmbeddedEventLog.open(eventsDir);
  const events = new EventStore(eventLog);
  const snapshots = new DirectorySnapshotStore(join(eventsDir, 'snapshots'));
  try {
    const fleet = new SyntheticFleet({ ...SERVICE_SHAPE, seed: options.seed });
    let started = performance.now();
    let service = '';
    for (let written = 0; written < options.events; written += PUBLISH_BATCH) {
      const items: EventToPublish[] = [];
      for (let i = 0; i < Math.min(PUBLISH_BATCH, options.events - written); i++) {
        const event = fleet.nextSnapshot();
        service = event.service;
        items.push({ id: `tt-${written + i}`, event });
      }
      await events.publish(items);
    }
    const writeSeconds = (performance.now() - started) / 1000;
    log(`wrote ${options.events} events of service ${service} in ${writeSeconds.toFixed(1)} s`);

    // The projection as the server runs it, a snapshot every snapshotEvery events.
    started = performance.now();
    const projected = await ReadModelDatabase.create(config('projected.sqlite').repository);
    await projected.ready();
    const taker = new SnapshotTaker(projected, snapshots, { every: 0, kept: Number.MAX_SAFE_INTEGER });
    const projector = new Projector(events, new ProjectionStore(projected));
    projector.onBatchApplied((batch) => taker.observe(batch));
    const head = await events.head();
    let sinceSnapshot = 0;
    for (let seq = 1; seq <= head; ) {
      const batch = await events.read(seq, Math.min(REPLAY_BATCH, options.snapshotEvery));
      await projector.applyBatch(batch.events, batch.throughSeq);
      sinceSnapshot += batch.events.length;
      if (sinceSnapshot >= options.snapshotEvery && batch.throughSeq < head) {
        await taker.takeNow();
        sinceSnapshot = 0;
      }
      seq = batch.throughSeq + 1;
    }
    const replayWithSnapshotsSeconds = (performance.now() - started) / 1000;
    const kept = await snapshots.list();
    const snapshotBytes = kept.reduce((sum, s) => sum + s.bytes, 0);
    log(`projected with ${kept.length} snapshots (${(snapshotBytes / 1e6).toFixed(1)} MB) in ${replayWithSnapshotsSeconds.toFixed(1)} s`);
    const live = JSON.stringify(await new ReadModelQueries(projected).openErrors(service));
    await projected.close();

    const travel = new TimeTravel(events, snapshots);
    const coldMs: number[] = [];
    const warmMs: number[] = [];
    const foldedEvents: number[] = [];
    for (let q = 1; q <= options.questions; q++) {
      // Halfway between snapshots: the most events a question folds, less a half interval.
      const seq = Math.min(head, Math.round((q / options.questions) * head) - Math.floor(options.snapshotEvery / 2));
      const [recorded] = (await events.read(Math.max(1, seq), 1)).events;
      for (const times of [coldMs, warmMs]) {
        const t = performance.now();
        const answer = await travel.openErrorsAt(service, recorded!.event.at);
        times.push(Math.round(performance.now() - t));
        if (times === warmMs) foldedEvents.push(answer.eventsFolded);
      }
    }
    const atHead = await travel.openErrorsAt(service, Number.MAX_SAFE_INTEGER);
    const timeTravelMatchesLive = JSON.stringify(atHead.answer) === live;
    log(`time travel: cold ${coldMs.join(', ')} ms; warm ${warmMs.join(', ')} ms; events folded ${foldedEvents.join(', ')}`);

    const full = await replayReadModel(config('full.sqlite'));
    const fromSnapshot = await replayReadModel(config('from-snapshot.sqlite'), undefined, { fromSnapshot: true });
    log(`full replay ${full.seconds.toFixed(1)} s; from the snapshot at ${fromSnapshot.snapshotSeq}: ${fromSnapshot.seconds.toFixed(1)} s`);
    const answersEqual =
      timeTravelMatchesLive &&
      (await openErrorsIn(config('full.sqlite'), service)) === live &&
      (await openErrorsIn(config('from-snapshot.sqlite'), service)) === live;

    const sorted = [...warmMs].sort((a, b) => a - b);
    return {
      options,
      writeSeconds: round(writeSeconds),
      replayWithSnapshotsSeconds: round(replayWithSnapshotsSeconds),
      snapshots: kept.length,
      snapshotBytes,
      timeTravel: { coldMs, warmMs, foldedEvents, p50WarmMs: sorted[Math.floor(sorted.length / 2)]!, maxColdMs: Math.max(...coldMs) },
      fullReplaySeconds: round(full.seconds),
      snapshotReplay: { seconds: round(fromSnapshot.seconds), fromSeq: fromSnapshot.snapshotSeq ?? 0, tailEvents: fromSnapshot.events },
      answersEqual,
      loadAverage: { before: round(before), after: round(loadavg()[0]!) },
    };
  } finally {
    await eventLog.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function openErrorsIn(config: PeriskopConfig, service: string): Promise<string> {
  const db = await ReadModelDatabase.create(config.repository);
  try {
    await db.ready();
    return JSON.stringify(await new ReadModelQueries(db).openErrors(service));
  } finally {
    await db.close();
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

/** The suite's entry (bench/run.ts): `npm run bench -- --only=time-travel`. */
export const benchmark: Benchmark = {
  name: 'time-travel',
  describe: 'GET /services/:s/errors/?at= answer time on a long log, and replay --from-snapshot against a full replay',
  async run(ctx: BenchContext): Promise<Figure[]> {
    const options: TimeTravelBenchOptions = ctx.options.quick
      ? { events: 20_000, snapshotEvery: 2_000, questions: 5, seed: ctx.options.seed }
      : { events: 1_000_000, snapshotEvery: 10_000, questions: 5, seed: ctx.options.seed };
    const r = await runTimeTravelBench(options, ctx.progress);
    const command = ctx.commandFor('time-travel');
    const events = options.events.toLocaleString('en-US');
    return [
      {
        figure: `time travel: ?at= answer, ${events} events, snapshot every ${options.snapshotEvery.toLocaleString('en-US')} (cold max)`,
        value: round(r.timeTravel.maxColdMs),
        unit: 'ms',
        goal: null,
        met: null,
        command,
        details: { timeTravel: r.timeTravel, snapshots: r.snapshots, snapshotBytes: r.snapshotBytes },
      },
      { figure: '  time travel: ?at= answer, warm p50', value: round(r.timeTravel.p50WarmMs), unit: 'ms', goal: null, met: null, command },
      { figure: `replay: full, ${events} events`, value: round(r.fullReplaySeconds), unit: 's', goal: null, met: null, command },
      {
        figure: '  replay --from-snapshot (same answers as the full replay)',
        value: round(r.snapshotReplay.seconds),
        unit: 's',
        goal: 'answers equal',
        met: r.answersEqual,
        command,
        details: { snapshotReplay: r.snapshotReplay },
      },
    ];
  },
};

const USAGE = `Usage: node dist-bench/bench/time-travel.bench.js [--quick] [--events N] [--snapshot-every N] [--questions N] [--seed N]
  --quick             20,000 events, a snapshot every 2,000 (default 1,000,000 and 10,000)
`;

function parseArgs(argv: string[]): TimeTravelBenchOptions {
  const options: TimeTravelBenchOptions = { events: 1_000_000, snapshotEvery: 10_000, questions: 5, seed: 1 };
  const int = (flag: string, value: string | undefined) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${flag} needs a positive integer\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') Object.assign(options, { events: 20_000, snapshotEvery: 2_000 });
    else if (arg === '--events') options.events = int(arg, argv[++i]);
    else if (arg === '--snapshot-every') options.snapshotEvery = int(arg, argv[++i]);
    else if (arg === '--questions') options.questions = int(arg, argv[++i]);
    else if (arg === '--seed') options.seed = int(arg, argv[++i]);
    else throw new Error(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
  }
  return options;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // stdout is the result's JSON alone; the snapshot taker's log lines would mix in.
  Logger.overrideLogger(['error', 'warn']);
  const result = await runTimeTravelBench(parseArgs(process.argv.slice(2)), (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (!result.answersEqual) process.exitCode = 1;
}
