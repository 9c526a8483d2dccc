import { availableParallelism } from 'node:os';
import { parseConfig } from '../src/config/index.js';
import { EventStore, type EventToPublish } from '../src/events/event-store.js';
import type { Subscription } from '../src/events/event-log.js';
import { JetStreamEventLog } from '../src/events/jetstream-event-log.js';
import { LIVE_BATCH, Projector } from '../src/projector/projector.js';
import { ProjectionStore } from '../src/read-model/projection-store.js';
import { ReadModelDatabase } from '../src/read-model/read-model-database.js';
import { isLogged } from '../src/events/logged-snapshot.js';
import { pageId } from '../src/read-model/occurrence-pages.js';
import { pageRows, type PageText, type PageToWrite } from '../src/read-model/page-rows.js';
import { rowId } from '../src/read-model/row-id.js';
import { RowWriter } from '../src/read-model/row-upsert.js';
import { createTestDatabase, DATABASE_KINDS, type DatabaseKind } from '../test/support/test-databases.js';
import { deleteStream, NATS_URL, uniqueStreamNames } from '../test/support/test-event-logs.js';
import { timed, type Pass } from './cpu-time.js';
import { atLeast, percentile, round, type BenchContext, type Benchmark, type Figure } from './suite.js';
import { DEFAULT_FLEET, SyntheticFleet, describeFleet } from './synthetic-fleet.js';

// Projector throughput: the same realistic SnapshotScraped events in one JetStream stream,
// consumed (1) raw — the project's durable pull consumer with the projector's batch limits
// (LIVE_BATCH), acked after each batch, with a handler that does nothing — and (2) by the live Projector into SQLite, PostgreSQL
// and MariaDB, timed from start until its checkpoint reaches the head (projected and
// committed, as the API sees it), each into a new read model. The ratio projector/raw says how
// much of the transport's speed the read model keeps, as a running server's warm projector
// keeps it: after an untimed first pass of each, raw consumes and SQLite projections take
// turns and their medians are compared (the first pass's figures are in the details).

const GOAL_RATIO_SQLITE = 0.5;
/** Timed passes of the raw consume and of the SQLite projector, in turns (medians reported). */
const TURNS = 3;
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

function median(values: number[]): number {
  return percentile(values, 50);
}

/** How long the project's JetStream consumer takes to deliver (and ack) every message, and the CPU it and nats-server use. */
async function rawConsume(log: JetStreamEventLog, head: number, name: string): Promise<Pass> {
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  let subscription!: Subscription;
  const pass = await timed(async () => {
    subscription = log.consume({ name, fromSeq: 1, ...LIVE_BATCH }, async (messages) => {
      if ((messages.at(-1)?.seq ?? 0) >= head) done();
    });
    await finished;
  });
  await subscription.stop();
  return pass;
}

/** An occurrence as the ceiling writes it: its error's row id, its identity, its text (as the projector has it). */
interface PreparedOccurrence {
  aggregateId: string;
  uuid: string;
  timestamp: number;
  text: PageText;
}

/**
 * The occurrences each log message's event brings (by the message's sequence), with their
 * texts: what any projector of these events must store at the least, built before the clock starts.
 */
async function occurrencesBySeq(log: JetStreamEventLog, head: number): Promise<{ bySeq: Map<number, PreparedOccurrence[]>; count: number }> {
  const store = new EventStore(log);
  const bySeq = new Map<number, PreparedOccurrence[]>();
  let count = 0;
  for (let from = 1; from <= head; ) {
    const { events, throughSeq } = await store.read(from, 1_000);
    for (const { seq, event } of events) {
      if (event.type !== 'SnapshotScraped') continue;
      const prepared: PreparedOccurrence[] = [];
      for (const error of event.data.aggregated_errors) {
        const aggregateId = rowId(event.service, error.aggregation_key);
        for (const occurrence of error.latest_errors) prepared.push({ aggregateId, uuid: occurrence.uuid, timestamp: occurrence.timestamp, text: isLogged(occurrence) ? occurrence : JSON.stringify(occurrence) });
      }
      bySeq.set(seq, prepared);
      count += prepared.length;
    }
    from = throughSeq + 1;
  }
  return { bySeq, count };
}

/**
 * Seconds a raw consume takes when each batch also inserts, in one SQLite transaction, its
 * occurrences on a page per error, as the projector stores them (occurrence_page), from texts
 * prepared in advance: no decode, no fold, no other table, no deletes. What no projector
 * storing these occurrences on the consuming thread can beat: the ceiling of the ratio the
 * goal asks for.
 */
async function consumeAndInsertOccurrences(ctx: BenchContext, log: JetStreamEventLog, head: number, bySeq: Map<number, PreparedOccurrence[]>): Promise<number> {
  return withReadModel('sqlite', async (db) => {
    const started = performance.now();
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const subscription = log.consume({ name: 'bench-ceiling', fromSeq: 1, ...LIVE_BATCH }, async (messages) => {
      const through = messages.at(-1)?.seq ?? 0;
      const byError = new Map<string, PreparedOccurrence[]>();
      for (const m of messages) {
        for (const occurrence of bySeq.get(m.seq) ?? []) {
          const list = byError.get(occurrence.aggregateId);
          if (list) list.push(occurrence);
          else byError.set(occurrence.aggregateId, [occurrence]);
        }
      }
      const pages: PageToWrite[] = [...byError].map(([aggregateId, list]) => ({ id: pageId(aggregateId, through), aggregateId, occurrences: list, texts: list.map((o) => o.text) }));
      await db.fork().transactional((em) => new RowWriter(em).insert('occurrence_page', pageRows(pages).rows, ['occurrences', 'stacks']));
      ctx.progress(`ceiling: ${through}/${head}`);
      if (through >= head) done();
    });
    await finished;
    const seconds = (performance.now() - started) / 1000;
    await subscription.stop();
    return seconds;
  });
}

async function project(ctx: BenchContext, kind: DatabaseKind, log: JetStreamEventLog, head: number): Promise<Pass> {
  return withReadModel(kind, async (db) => {
    const projector = new Projector(new EventStore(log), new ProjectionStore(db));
    projector.onBatchApplied((b) => ctx.progress(`${kind}: ${b.throughSeq}/${head}`));
    const pass = await timed(async () => {
      await projector.start();
      await projector.waitFor(head, 3_600_000);
    });
    await projector.stop();
    return pass;
  });
}

/**
 * What CPU time allows: the CPU a raw consume and a SQLite projection take per thousand
 * events (every thread of this process, and nats-server's), and the ratio the projector would
 * reach were its CPU spread over every core with nothing idle: no overlap of its threads can
 * take it past that bound, only less CPU per event can.
 */
function cpuBudget(events: number, raw: number, rawPasses: Pass[], sqlitePasses: Pass[], command: string): Figure[] {
  const cores = availableParallelism();
  const perThousand = (passes: Pass[]) => median(passes.map((p) => (p.cpuSeconds / events) * 1_000_000));
  const rawCpu = perThousand(rawPasses);
  const sqliteCpu = perThousand(sqlitePasses);
  const bound = (cores * 1_000_000) / sqliteCpu / raw;
  return [
    { figure: `  CPU per 1,000 events: raw consume (bench process + nats-server), median of ${TURNS}`, value: round(rawCpu), unit: 'ms', goal: null, met: null, command },
    { figure: `  CPU per 1,000 events: projector into sqlite (every thread + nats-server), median of ${TURNS}`, value: round(sqliteCpu), unit: 'ms', goal: null, met: null, command },
    { figure: `  the sqlite ratio CPU alone allows on ${cores} cores (all busy)`, value: round(bound, 2), unit: '×', goal: null, met: null, command },
  ];
}

/** A migrated read model in a database of its own, dropped after `use`. */
async function withReadModel<T>(kind: DatabaseKind, use: (db: ReadModelDatabase) => Promise<T>): Promise<T> {
  const database = await createTestDatabase(kind);
  const config = parseConfig({ repository: database.section, services: [] }, 'bench');
  const db = await ReadModelDatabase.create(config.repository);
  try {
    await db.ready();
    return await use(db);
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
      // A first pass of each, untimed: the JIT compiles the consumer, the projector and the read
      // model's code in it (a server's projector runs warm; the first pass is in the details).
      // Then raw consumes and SQLite projections in turns, TURNS of each: one pass of 20,000
      // events takes half a second to a second, and single passes swung by a fifth.
      const firstRaw = events / (await rawConsume(log, head, 'bench-raw-first')).seconds;
      const firstSqlite = events / (await project(ctx, 'sqlite', log, head)).seconds;
      const rawPasses: Pass[] = [];
      const sqlitePasses: Pass[] = [];
      for (let turn = 0; turn < TURNS; turn++) {
        rawPasses.push(await rawConsume(log, head, `bench-raw-${turn}`));
        sqlitePasses.push(await project(ctx, 'sqlite', log, head));
      }
      const raws = rawPasses.map((p) => events / p.seconds);
      const sqlites = sqlitePasses.map((p) => events / p.seconds);
      const raw = median(raws);
      const command = ctx.commandFor('projector');
      const details = { events, messages: head, fleet: describeFleet({ ...DEFAULT_FLEET, seed: ctx.options.seed }), firstPass: round(firstRaw), turns: raws.map((r) => round(r)) };
      const figures: Figure[] = [
        { figure: `projector: raw JetStream consume (no decode, no database), median of ${TURNS}`, value: round(raw), unit: 'events/s', goal: null, met: null, command, details },
      ];
      const occurrences = await occurrencesBySeq(log, head);
      const ceiling = events / (await consumeAndInsertOccurrences(ctx, log, head, occurrences.bySeq));
      figures.push({
        figure: '  ceiling: raw consume + inserting the occurrence pages alone (SQLite, prepared in advance)',
        value: round(ceiling),
        unit: 'events/s',
        goal: null,
        met: null,
        command,
        details: { occurrences: occurrences.count, ratioToRaw: round(ceiling / raw, 2) },
      });
      figures.push({ figure: '  ceiling: its ratio to raw consume', value: round(ceiling / raw, 2), unit: '×', goal: null, met: null, command });
      // BENCH_PROJECTOR_DATABASES=sqlite profiles one read model without the others.
      const only = process.env['BENCH_PROJECTOR_DATABASES']?.split(',');
      for (const kind of DATABASE_KINDS.filter((k) => !only || only.includes(k))) {
        // SQLite: the median of its turns; the others: one warm pass each.
        const rate = kind === 'sqlite' ? median(sqlites) : events / (await project(ctx, kind, log, head)).seconds;
        const ratio = rate / raw;
        // Every event is one SnapshotScraped: snapshots/s and events/s are the same figure.
        figures.push({
          figure: `projector: snapshots (= events)/s into ${kind}${kind === 'sqlite' ? `, median of ${TURNS}` : ''}`,
          value: round(rate),
          unit: 'events/s',
          goal: null,
          met: null,
          command,
          ...(kind === 'sqlite' ? { details: { firstPass: round(firstSqlite), firstPassRatio: round(firstSqlite / firstRaw, 2), turns: sqlites.map((r) => round(r)) } } : {}),
        });
        figures.push({
          figure: `projector: ratio to raw consume, ${kind}`,
          value: round(ratio, 2),
          unit: '×',
          goal: kind === 'sqlite' ? `≥ ${GOAL_RATIO_SQLITE}` : null,
          met: kind === 'sqlite' ? atLeast(ratio, GOAL_RATIO_SQLITE) : null,
          command,
        });
        if (kind === 'sqlite') figures.push(...cpuBudget(events, raw, rawPasses, sqlitePasses, command));
      }
      return figures;
    } finally {
      await log.close();
      await deleteStream(names.stream);
    }
  },
};
