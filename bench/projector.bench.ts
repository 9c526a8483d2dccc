import { parseConfig } from '../src/config/index.js';
import { EventStore, type EventToPublish } from '../src/events/event-store.js';
import { JetStreamEventLog } from '../src/events/jetstream-event-log.js';
import { LIVE_BATCH, Projector } from '../src/projector/projector.js';
import { ProjectionStore } from '../src/read-model/projection-store.js';
import { ReadModelDatabase } from '../src/read-model/read-model-database.js';
import { createTestDatabase, DATABASE_KINDS, type DatabaseKind } from '../test/support/test-databases.js';
import { deleteStream, NATS_URL, uniqueStreamNames } from '../test/support/test-event-logs.js';
import { atLeast, round, type BenchContext, type Benchmark, type Figure } from './suite.js';
import { DEFAULT_FLEET, SyntheticFleet, describeFleet } from './synthetic-fleet.js';

// Projector throughput: the same realistic SnapshotScraped events in one JetStream stream,
// consumed (1) raw — the project's durable pull consumer with the projector's batch limits
// (LIVE_BATCH), acked after each batch, with a handler that does nothing — and (2) by the live Projector into SQLite, PostgreSQL
// and MariaDB, timed from start until its checkpoint reaches the head (projected and
// committed, as the API sees it). The ratio projector/raw says how much of the transport's
// speed the read model keeps.

const GOAL_RATIO_SQLITE = 0.5;
const PUBLISH_BATCH = 500;

async function publish(ctx: BenchContext, log: JetStreamEventLog, events: number, seed: number): Promise<number> {
  const fleet = new SyntheticFleet({ ...DEFAULT_FLEET, seed });
  const store = new EventStore(log);
  for (let written = 0; written < events; ) {
    const items: EventToPublish[] = [];
    for (let i = 0; i < PUBLISH_BATCH && written + i < events; i++) items.push({ id: `bench-${seed}-${written + i}`, event: fleet.nextSnapshot() });
    await store.publish(items);
    written += items.length;
    ctx.progress(`publishing ${written}/${events}`);
  }
  return log.head();
}

/** Seconds the project's JetStream consumer takes to deliver (and ack) every message. */
async function rawConsume(log: JetStreamEventLog, head: number): Promise<number> {
  const started = performance.now();
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const subscription = log.consume({ name: 'bench-raw', fromSeq: 1, ...LIVE_BATCH }, async (messages) => {
    if ((messages.at(-1)?.seq ?? 0) >= head) done();
  });
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await subscription.stop();
  return seconds;
}

async function project(ctx: BenchContext, kind: DatabaseKind, log: JetStreamEventLog, head: number): Promise<number> {
  const database = await createTestDatabase(kind);
  const config = parseConfig({ repository: database.section, services: [] }, 'bench');
  const db = await ReadModelDatabase.create(config.repository);
  try {
    await db.ready();
    const projector = new Projector(new EventStore(log), new ProjectionStore(db));
    projector.onBatchApplied((b) => ctx.progress(`${kind}: ${b.throughSeq}/${head}`));
    const started = performance.now();
    await projector.start();
    await projector.waitFor(head, 3_600_000);
    const seconds = (performance.now() - started) / 1000;
    await projector.stop();
    return seconds;
  } finally {
    await db.close();
    await database.drop();
  }
}

export const projectorBenchmark: Benchmark = {
  name: 'projector',
  describe: 'live projector from JetStream into SQLite, PostgreSQL, MariaDB vs a raw consume of the same messages',
  async run(ctx: BenchContext): Promise<Figure[]> {
    const events = ctx.options.quick ? 2_000 : 20_000;
    const names = uniqueStreamNames();
    const log = await JetStreamEventLog.connect({ url: NATS_URL, ...names, name: 'periskop-bench' });
    try {
      const head = await publish(ctx, log, events, ctx.options.seed);
      const rawSeconds = await rawConsume(log, head);
      const raw = events / rawSeconds;
      const command = ctx.commandFor('projector');
      const details = { events, messages: head, fleet: describeFleet({ ...DEFAULT_FLEET, seed: ctx.options.seed }) };
      const figures: Figure[] = [
        { figure: 'projector: raw JetStream consume (no decode, no database)', value: round(raw), unit: 'events/s', goal: null, met: null, command, details },
      ];
      // BENCH_PROJECTOR_DATABASES=sqlite profiles one read model without the others.
      const only = process.env['BENCH_PROJECTOR_DATABASES']?.split(',');
      for (const kind of DATABASE_KINDS.filter((k) => !only || only.includes(k))) {
        const rate = events / (await project(ctx, kind, log, head));
        const ratio = rate / raw;
        // Every event is one SnapshotScraped: snapshots/s and events/s are the same figure.
        figures.push({
          figure: `projector: snapshots (= events)/s into ${kind}`,
          value: round(rate),
          unit: 'events/s',
          goal: null,
          met: null,
          command,
        });
        figures.push({
          figure: `projector: ratio to raw consume, ${kind}`,
          value: round(ratio, 2),
          unit: '×',
          goal: kind === 'sqlite' ? `≥ ${GOAL_RATIO_SQLITE}` : null,
          met: kind === 'sqlite' ? atLeast(ratio, GOAL_RATIO_SQLITE) : null,
          command,
        });
      }
      return figures;
    } finally {
      await log.close();
      await deleteStream(names.stream);
    }
  },
};
