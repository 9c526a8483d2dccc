import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EventStore, type EventToPublish } from '../src/events/event-store.js';
import { JetStreamEventLog } from '../src/events/jetstream-event-log.js';
import { deleteStream, NATS_URL, uniqueStreamNames } from '../test/support/test-event-logs.js';
import { mainThreadCpuSeconds, natsServerCpuSeconds, processCpuSeconds } from './cpu-time.js';
import { DEFAULT_FLEET, SyntheticFleet } from './synthetic-fleet.js';

// Compares builds of the live projector on one machine that others share (the projector pass
// of bench/README.md): the projector benchmark's events are published once, then each build
// (a copy of dist-bench/ given on the command line) reads them through its own log adapter and
// projects them into a SQLite read model of its own, builds taking turns, round after round.
// Besides the wall time it reads the main thread's CPU time (/proc): the consuming thread's
// work, which a busy neighbour disturbs far less than the wall time. The first round warms up
// and is left out of the medians.
//
//   node dist-bench/bench/projector-ab.js [--rounds=N] [--events=N] [--profile=DIR] [--heap-profile=DIR] name=dist-dir …
//
// --profile writes a CPU profile of each run (only the projector, not the publishing);
// --heap-profile a sampling heap profile of what each run allocated, the objects garbage
// collections took included (what the run allocates, not what it keeps).

interface Build {
  name: string;
  load: () => Promise<BuildModules>;
  wall: number[];
  cpu: number[];
}

/** What of a build is run; its own copies of the modules (its own caches, its own code). */
interface BuildModules {
  parseConfig: (raw: unknown, file: string) => { repository: unknown };
  /** The build's own log adapter, connected to the stream the events were published to. */
  connectLog: (names: ReturnType<typeof uniqueStreamNames>) => Promise<{ close(): Promise<void> }>;
  EventStore: new (log: unknown) => unknown;
  Projector: new (events: unknown, store: unknown, options: undefined, scope: { consumer: string; rebuildWhenAhead: boolean }) => {
    start(): Promise<void>;
    waitFor(seq: number, timeoutMs: number): Promise<void>;
    stop(): Promise<void>;
  };
  ProjectionStore: new (db: unknown) => unknown;
  ReadModelDatabase: { create(repository: unknown): Promise<{ ready(): Promise<void>; close(): Promise<void> }> };
  createTestDatabase: (kind: 'sqlite') => Promise<{ section: Record<string, string>; drop(): Promise<void> }>;
}

function buildOf(spec: string): Build {
  const [name, dir] = spec.split('=', 2) as [string, string | undefined];
  if (!dir) throw new Error(`${spec}: expected name=dist-dir`);
  const module = (path: string) => import(pathToFileURL(resolve(dir, path)).href);
  return {
    name,
    wall: [],
    cpu: [],
    load: async () => ({
      parseConfig: (await module('src/config/index.js')).parseConfig,
      connectLog: async (names) => (await module('src/events/jetstream-event-log.js')).JetStreamEventLog.connect({ url: NATS_URL, ...names, name: `projector-ab-${name}` }),
      EventStore: (await module('src/events/event-store.js')).EventStore,
      Projector: (await module('src/projector/projector.js')).Projector,
      ProjectionStore: (await module('src/read-model/projection-store.js')).ProjectionStore,
      ReadModelDatabase: (await module('src/read-model/read-model-database.js')).ReadModelDatabase,
      createTestDatabase: (await module('test/support/test-databases.js')).createTestDatabase,
    }),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2;
}

async function main(): Promise<void> {
  const flags = new Map(process.argv.slice(2).filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=', 2) as [string, string]));
  const builds = process.argv.slice(2).filter((a) => !a.startsWith('--')).map(buildOf);
  if (builds.length === 0) throw new Error('usage: projector-ab.js [--rounds=N] [--events=N] [--profile=DIR] [--heap-profile=DIR] name=dist-dir …');
  const rounds = Number(flags.get('rounds') ?? 4);
  const events = Number(flags.get('events') ?? 20_000);
  const profileDir = flags.get('profile');
  const heapProfileDir = flags.get('heap-profile');
  const modules = await Promise.all(builds.map((b) => b.load()));

  const names = uniqueStreamNames();
  const log = await JetStreamEventLog.connect({ url: NATS_URL, ...names, name: 'projector-ab' });
  const logs: { close(): Promise<void> }[] = [];
  try {
    const fleet = new SyntheticFleet({ ...DEFAULT_FLEET, seed: 1 });
    const publisher = new EventStore(log);
    for (let written = 0; written < events; ) {
      const items: EventToPublish[] = [];
      for (let i = 0; i < 500 && written + i < events; i++) items.push({ id: `ab-${written + i}`, event: fleet.nextSnapshot() });
      await publisher.publish(items);
      written += items.length;
    }
    const head = await log.head();
    for (const m of modules) logs.push(await m.connectLog(names));
    let run = 0;
    for (let round = 0; round < rounds; round++) {
      // Alternate the order, so no build always runs right after the same other one.
      const order = round % 2 === 0 ? builds.map((_, i) => i) : builds.map((_, i) => builds.length - 1 - i);
      for (const i of order) {
        const build = builds[i]!;
        const m = modules[i]!;
        const database = await m.createTestDatabase('sqlite');
        const db = await m.ReadModelDatabase.create(m.parseConfig({ repository: database.section, services: [] }, 'projector-ab').repository);
        await db.ready();
        const projector = new m.Projector(new m.EventStore(logs[i]), new m.ProjectionStore(db), undefined, { consumer: `projector-ab-${run++}`, rebuildWhenAhead: true });
        const session = new Session();
        if (profileDir || heapProfileDir) session.connect();
        if (profileDir) {
          await session.post('Profiler.enable');
          await session.post('Profiler.start');
        }
        if (heapProfileDir) {
          await session.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
        }
        const cpuBefore = mainThreadCpuSeconds();
        const processBefore = processCpuSeconds();
        const natsBefore = natsServerCpuSeconds();
        const started = performance.now();
        await projector.start();
        await projector.waitFor(head, 3_600_000);
        const seconds = (performance.now() - started) / 1000;
        const wall = events / seconds;
        const cpu = events / (mainThreadCpuSeconds() - cpuBefore);
        const otherThreads = processCpuSeconds() - processBefore - events / cpu;
        const nats = natsServerCpuSeconds() - natsBefore;
        if (profileDir) {
          const { profile } = await session.post('Profiler.stop');
          writeFileSync(resolve(profileDir, `${build.name}.${round}.cpuprofile`), JSON.stringify(profile));
        }
        if (heapProfileDir) {
          const { profile } = await session.post('HeapProfiler.stopSampling');
          writeFileSync(resolve(heapProfileDir, `${build.name}.${round}.heapprofile`), JSON.stringify(profile));
        }
        if (profileDir || heapProfileDir) session.disconnect();
        if (round > 0 || rounds === 1) {
          build.wall.push(wall);
          build.cpu.push(cpu);
        }
        console.log(
          `${build.name}: ${Math.round(wall)} events/s, ${Math.round(cpu)} events per main-thread CPU second; ` +
            `${seconds.toFixed(2)} s wall, main thread ${(events / cpu).toFixed(2)} s CPU, other threads ${otherThreads.toFixed(2)} s, nats-server ${nats.toFixed(2)} s`,
        );
        await projector.stop();
        await db.close();
        await database.drop();
      }
    }
    for (const b of builds) {
      console.log(`== ${b.name}: median ${Math.round(median(b.wall))} events/s, ${Math.round(median(b.cpu))} events per main-thread CPU second (${b.wall.length} runs)`);
    }
  } finally {
    await Promise.all(logs.map((l) => l.close()));
    await log.close();
    await deleteStream(names.stream);
  }
}

await main();
