import { statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { EmbeddedEventLog } from '../src/events/embedded-event-log.js';
import { EventStore, type EventToPublish } from '../src/events/event-store.js';
import { apply, emptyProjectionState } from '../src/projector/projection.js';
import { replayReadModel } from '../src/replay.js';
import { atLeast, round, type BenchContext, type Benchmark, type Figure } from './suite.js';
import { DEFAULT_FLEET, SyntheticFleet, describeFleet } from './synthetic-fleet.js';

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

async function writeLog(ctx: BenchContext, dir: string, options: Options): Promise<{ phase: Phase; bytes: number; messages: number }> {
  const fleet = new SyntheticFleet({ ...DEFAULT_FLEET, seed: options.seed });
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
      ctx.progress(`writing ${written}/${options.events}`);
    }
    const messages = await log.head();
    return { phase: phase('write: EventStore.publish (embedded, 1,000 per call)', options.events, publishSeconds), bytes, messages };
  } finally {
    await log.close();
  }
}

async function replayPhase(ctx: BenchContext, configFile: string, events: number): Promise<{ replay: Phase; wall: Phase; workers: number }> {
  const config = loadConfig(configFile, {});
  const started = performance.now();
  const report = await replayReadModel(config, (applied, head) => ctx.progress(`replaying ${applied}/${head}`));
  const wallSeconds = (performance.now() - started) / 1000;
  if (report.events !== events) throw new Error(`replay applied ${report.events} events, the log holds ${events}`);
  return {
    replay: phase(`replay: replayReadModel, as periskop replay reports it (${report.workers === 1 ? 'serial fold' : `${report.workers} worker threads`})`, report.events, report.seconds),
    wall: phase('  the same, wall clock with opening/closing the log and database', report.events, wallSeconds),
    workers: report.workers,
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

/**
 * BENCH_REPLAY_EVENTS=200000 replays that many events instead of the suite's size (1,000,000;
 * `--quick`: 10,000), to measure and profile between the two.
 */
function eventsFromEnv(): number | null {
  const text = process.env['BENCH_REPLAY_EVENTS'];
  if (!text) return null;
  const events = Number(text);
  if (!Number.isSafeInteger(events) || events <= 0) throw new Error(`BENCH_REPLAY_EVENTS=${JSON.stringify(text)}: expected a positive integer`);
  return events;
}

export const replayBenchmark: Benchmark = {
  name: 'replay',
  describe: 'periskop replay: rebuild a SQLite read model from an embedded log of realistic SnapshotScraped events',
  async run(ctx: BenchContext): Promise<Figure[]> {
    const options: Options = { events: eventsFromEnv() ?? (ctx.options.quick ? 10_000 : 1_000_000), seed: ctx.options.seed };
    const dir = await mkdtemp(join(tmpdir(), 'periskop-bench-replay-'));
    const eventsDir = join(dir, 'events');
    const readModel = join(dir, 'read-model.sqlite');
    const configFile = join(dir, 'periskop.yaml');
    await writeFile(
      configFile,
      `repository:\n  type: sqlite\n  path: ${JSON.stringify(readModel)}\nevents:\n  type: embedded\n  path: ${JSON.stringify(eventsDir)}\nservices: []\n`,
    );
    try {
      const write = await writeLog(ctx, eventsDir, options);
      const logBytes = statSync(join(eventsDir, 'events.sqlite')).size;
      const { replay, wall, workers } = await replayPhase(ctx, configFile, options.events);
      const readModelBytes = statSync(readModel).size;
      const read = await readPhase(eventsDir);
      const fold = await foldPhase(eventsDir);
      const command = ctx.commandFor('replay');
      return [
        {
          figure: `replay: events/s rebuilding SQLite from ${options.events.toLocaleString('en-US')} events`,
          value: replay.eventsPerSecond,
          unit: 'events/s',
          goal: `≥ ${GOAL_EVENTS_PER_SECOND.toLocaleString('en-US')}`,
          met: atLeast(replay.eventsPerSecond, GOAL_EVENTS_PER_SECOND),
          command,
          details: {
            // The split of the cost: whatever the replay takes beyond the fold is the database.
            phases: [write.phase, replay, wall, read, fold],
            log: { events: options.events, messages: write.messages, eventJsonBytes: write.bytes, bytesPerEvent: Math.round(write.bytes / options.events), fileBytes: logBytes },
            readModel: { type: 'sqlite', fileBytes: readModelBytes },
            // Worker threads of the parallel fold (one per core, at most 4; 1: serial).
            workers,
            fleet: describeFleet({ ...DEFAULT_FLEET, seed: options.seed }),
          },
        },
        {
          figure: '  replay: read + decode only',
          value: read.eventsPerSecond,
          unit: 'events/s',
          goal: null,
          met: null,
          command,
        },
        {
          figure: '  replay: read + decode + fold in memory, no database',
          value: fold.eventsPerSecond,
          unit: 'events/s',
          goal: null,
          met: null,
          command,
        },
      ];
    } finally {
      if (ctx.options.keep) process.stderr.write(`replay: kept ${dir}\n`);
      else await rm(dir, { recursive: true, force: true });
    }
  },
};
