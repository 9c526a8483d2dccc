import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, nanos } from '@nats-io/transport-node';
import { dump } from 'js-yaml';
import { goErrorAggregate } from '../src/api/go-response.js';
import { EmbeddedEventLog } from '../src/events/embedded-event-log.js';
import { EventStore } from '../src/events/event-store.js';
import type { PeriskopEvent, RecordedEvent } from '../src/events/events.js';
import { Projector } from '../src/projector/projector.js';
import { ProjectionStore } from '../src/read-model/projection-store.js';
import { ReadModelDatabase } from '../src/read-model/read-model-database.js';
import { ReadModelQueries } from '../src/read-model/read-model-queries.js';
import { CrashablePeriskop } from './support/crashable-periskop.js';
import { Ledger, generateHistory, reduceAnswer, seededRandom, type FleetHistory } from './support/fleet-history.js';
import { NATS_URL, openTestJetStreamLog } from './support/test-event-logs.js';
import { waitFor } from './support/wait-for.js';

// Exactly-once under crashes: the projector's checkpoint is committed in the same transaction
// as the read-model writes, so killing the server at any moment and starting it again must
// neither lose an event nor apply one twice. The history has counter resets and resolves, so
// an event applied twice (or skipped) shows in the totals and in what is hidden; the expected
// answer comes from the ledger's arithmetic, never from the projector's own functions.
//
// EXACTLY_ONCE_SEED=<n> repeats a run's history and kill points (timing still varies).

const SEED = Number(process.env.EXACTLY_ONCE_SEED ?? Math.floor(Math.random() * 2 ** 31));
const SERVICES = ['checkout', 'api.payments v2', 'search *>'];
const EVENTS = 40_000;
const CRASHES = 4;
const MAX_ROUNDS = 16;
/** EmbeddedEventLog's default de-duplication window. */
const DUPLICATE_WINDOW_MS = 120_000;

const errorsPath = (service: string) => `/services/${encodeURIComponent(service)}/errors/`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function differs(ledger: Ledger, other: Ledger): boolean {
  return SERVICES.some((s) => JSON.stringify(ledger.expected(s)) !== JSON.stringify(other.expected(s)));
}

/** The events applied once more, in order, as a duplicate delivery would: the answer must not look like this. */
function appliedAgain(ledger: Ledger, events: { event: PeriskopEvent }[]): Ledger {
  const twice = ledger.clone();
  for (const { event } of events) twice.apply(event);
  return twice;
}

/** The ledger of the first `count` events only. */
function ledgerThrough(history: FleetHistory, count: number): Ledger {
  const ledger = new Ledger();
  for (const { event } of history.events.slice(0, count)) ledger.apply(event);
  return ledger;
}

/** Byte-identical answers; on a difference, the reduced form (keys, totals, uuids) shows where. */
function expectSameBody(actual: string, expected: string): void {
  if (actual === expected) return;
  const reduce = (body: string) => {
    const value = JSON.parse(body) as unknown[];
    return Array.isArray(value[0]) ? value.map(reduceAnswer) : reduceAnswer(value);
  };
  expect(reduce(actual)).toEqual(reduce(expected));
  expect(actual).toBe(expected);
}

/** Writes the history straight into an embedded log, as the scraper and the API would have. */
async function writeLog(eventsDir: string, history: FleetHistory): Promise<void> {
  const log = EmbeddedEventLog.open(eventsDir);
  try {
    const store = new EventStore(log);
    for (let i = 0; i < history.events.length; i += 2_000) await store.publish(history.events.slice(i, i + 2_000));
    expect(await log.head()).toBe(history.events.length);
  } finally {
    await log.close();
  }
}

/** A config that scrapes nothing: the server only projects the log into a SQLite file. */
async function writeConfig(dir: string, eventsDir: string): Promise<string> {
  const file = join(dir, 'periskop.yaml');
  await writeFile(file, dump({ repository: { type: 'sqlite', path: join(dir, 'read-model.sqlite') }, events: { type: 'embedded', path: eventsDir }, services: [] }));
  return file;
}

console.log(`exactly-once seed ${SEED} (EXACTLY_ONCE_SEED=${SEED} npm test -- exactly-once to repeat)`);

describe('exactly-once projection', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'periskop-exactly-once-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('survives kill -9 at random moments of a catch-up: nothing lost, nothing applied twice', async () => {
    const random = seededRandom(SEED);
    const history = generateHistory({ seed: SEED, services: SERVICES, targetsPerService: 20, events: EVENTS, idPrefix: `eo-${SEED}` });
    const eventsDir = join(dir, 'events');
    const writtenAt = Date.now();
    await writeLog(eventsDir, history);
    console.log(`history: ${JSON.stringify(history.counts)}; expected ${JSON.stringify(history.ledger.stats())}`);
    const configFile = await writeConfig(dir, eventsDir);

    let server: CrashablePeriskop | null = null;
    try {
      // Each round starts the server, reads where its projector resumed (the committed
      // checkpoint + 1, from its log line: no HTTP answer to wait for), and kills it at
      // a random moment of what is left to project.
      // The next round's resume point tells how far the killed one had committed.
      const crashes: string[] = [];
      let eventsPerMs = 20; // a first guess (on the fast side: too slow a guess lets the first kill come late), corrected by every crash
      let killed: { from: number; afterMs: number } | null = null;
      for (let round = 0; round < MAX_ROUNDS; round++) {
        server = await CrashablePeriskop.spawn(configFile);
        const resumed = await server.resumedAt();
        const startedAt = Date.now();
        if (killed) {
          const committed = (resumed?.from ?? EVENTS + 1) - 1;
          // What a killed server committed stays committed: a restart never goes back.
          expect(committed).toBeGreaterThanOrEqual(killed.from - 1);
          const progress = committed - (killed.from - 1);
          // Killed before its first commit: wait longer next time.
          eventsPerMs = progress > 0 ? progress / killed.afterMs : eventsPerMs / 2;
          // Killed while projecting, with something committed and something left: checkpoint > 0 and < head.
          if (resumed && progress > 0) crashes.push(`${committed}/${EVENTS} (${killed.afterMs} ms into the catch-up)`);
        }
        if (!resumed || crashes.length >= CRASHES) break;
        const remainingMs = (resumed.head - resumed.from + 1) / eventsPerMs;
        // Somewhere in the next 5–35 % of what is left, so that several crashes fit in one log.
        await sleep(Math.min(5_000, Math.max(20, Math.floor((0.05 + 0.3 * random()) * remainingMs))));
        await server.crash();
        killed = { from: resumed.from, afterMs: Date.now() - startedAt };
        server = null;
      }
      console.log(`kill -9 with checkpoint at ${crashes.join(', ')}`);
      // Crashes mid-projection are the point of the test: a log projected too fast proves nothing.
      expect(crashes.length).toBeGreaterThanOrEqual(3);

      server ??= await CrashablePeriskop.spawn(configFile);
      const running = server;
      await running.caughtUp(40_000);
      expect(await running.projection()).toEqual({ checkpoint: EVENTS, head: EVENTS, lag: 0 });

      const { ledger } = history;
      expect((await running.get('/services/')).json()).toEqual([...SERVICES].sort());
      const answers = new Map<string, string>();
      for (const service of SERVICES) {
        const answer = await running.get(errorsPath(service));
        expect(answer.status).toBe(200);
        answers.set(service, answer.body);
        const expected = ledger.expected(service);
        const actual = reduceAnswer(answer.json());
        // Every open key present with its exact total, the resolved ones hidden.
        expect(actual.map((e) => e.aggregation_key)).toEqual(expected.map((e) => e.aggregation_key));
        expect(actual).toEqual(expected);
        expect(ledger.keysOf(service).length).toBeGreaterThan(expected.length);
      }

      // (a) The same events published again (same ids) are dropped by the log's window.
      expect(Date.now() - writtenAt).toBeLessThan(DUPLICATE_WINDOW_MS - 10_000);
      expect(differs(ledger, appliedAgain(ledger, history.events))).toBe(true);
      const again = EmbeddedEventLog.open(eventsDir);
      try {
        const seqs = await new EventStore(again).publish(history.events);
        expect(seqs).toEqual(history.events.map((_, i) => i + 1));
        expect(await again.head()).toBe(EVENTS);
      } finally {
        await again.close();
      }
      // Past the consumer's poll interval for appends made by another process.
      await sleep(1_500);
      expect(await running.projection()).toEqual({ checkpoint: EVENTS, head: EVENTS, lag: 0 });
      for (const service of SERVICES) expectSameBody((await running.get(errorsPath(service))).body, answers.get(service)!);

      // A clean restart applies nothing again and serves the same bytes.
      await running.stop();
      server = await CrashablePeriskop.start(configFile);
      expect(await server.resumedAt()).toBeNull();
      expect(await server.projection()).toEqual({ checkpoint: EVENTS, head: EVENTS, lag: 0 });
      for (const service of SERVICES) expectSameBody((await server.get(errorsPath(service))).body, answers.get(service)!);
    } catch (error) {
      if (server) console.log(`periskop output:\n${server.log.slice(-5_000)}`);
      throw error;
    } finally {
      await server?.stop();
    }
    // A hang guard, not a speed goal: up to 12 server starts, each a few seconds on a loaded CI machine.
  }, 120_000);

  // The embedded log's consumer yields to the event loop between batches; without that, a
  // catch-up on SQLite would hold every HTTP request until it ends.
  it('answers /-/projection while it catches up', async () => {
    const history = generateHistory({ seed: SEED + 2, services: SERVICES, targetsPerService: 20, events: 5_000, idPrefix: `eo-busy-${SEED}` });
    const eventsDir = join(dir, 'events');
    await writeLog(eventsDir, history);
    const server = await CrashablePeriskop.spawn(await writeConfig(dir, eventsDir));
    try {
      await server.ready();
      const answers: { checkpoint: number; head: number }[] = [];
      await waitFor(
        async () => {
          const status = await server.projection();
          answers.push(status);
          return status.lag === 0;
        },
        30_000,
        'the catch-up to end',
      );
      // Seen half-way: something applied, something left.
      expect(answers.filter((a) => a.checkpoint > 0 && a.checkpoint < a.head)).not.toEqual([]);
    } finally {
      await server.stop();
    }
  }, 30_000);

  it('ignores events JetStream delivers again after the ack wait, and duplicate publishes', async () => {
    const history = generateHistory({ seed: SEED + 1, services: SERVICES, targetsPerService: 5, events: 1_200, idPrefix: `eo-js-${SEED}` });
    const { log, stream, cleanup } = await openTestJetStreamLog();
    const nc = await connect({ servers: NATS_URL });
    const db = await ReadModelDatabase.create({ type: 'sqlite', path: join(dir, 'read-model.sqlite') });
    await db.ready();
    try {
      const events = new EventStore(log);
      await events.publish(history.events);
      expect(await log.head()).toBe(history.events.length);

      // (a) Duplicate publish: the stream's duplicate window drops it, the head does not move.
      expect(await events.publish(history.events.slice(0, 200))).toEqual(history.events.slice(0, 200).map((_, i) => i + 1));
      expect(await log.head()).toBe(history.events.length);

      // (b) A real redelivery: a consumer with a 1 s ack wait whose handler does not ack in time.
      const jsm = await jetstreamManager(nc);
      await jsm.consumers.add(stream, {
        durable_name: 'redelivery-probe',
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(1_000),
      });
      const probe = await jetstream(nc).consumers.get(stream, 'redelivery-probe');
      const fetchBatch = async (count: number): Promise<JsMsg[]> => {
        const messages: JsMsg[] = [];
        for await (const m of await probe.fetch({ max_messages: count, expires: 3_000 })) messages.push(m);
        return messages;
      };
      const decode = (messages: JsMsg[]): Promise<RecordedEvent[]> => events.decode(messages.map((m) => ({ seq: m.seq, subject: m.subject, data: m.data })));

      const store = new ProjectionStore(db);
      const queries = new ReadModelQueries(db);
      // What GET /services/:service/errors/ sends for each service, side by side.
      const answer = async () =>
        JSON.stringify(await Promise.all(SERVICES.map(async (s) => (await queries.openErrors(s)).map(goErrorAggregate))));

      const projector = new Projector(events, store);
      const delivered = await fetchBatch(400);
      expect(delivered.map((m) => m.seq)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
      const firstBatch = await decode(delivered);
      await projector.applyBatch(firstBatch, 400);
      const afterFirst = await answer();
      const through400 = ledgerThrough(history, 400);
      expect(differs(through400, appliedAgain(through400, firstBatch))).toBe(true);

      await sleep(1_300);
      const redelivered = await fetchBatch(400);
      expect(redelivered.map((m) => m.seq)).toEqual(delivered.map((m) => m.seq));
      expect(redelivered.every((m) => m.redelivered && m.info.deliveryCount === 2)).toBe(true);
      await projector.applyBatch(await decode(redelivered), 400);
      expect(projector.checkpoint).toBe(400);
      expectSameBody(await answer(), afterFirst);
      // A batch overlapping the checkpoint applies only its new part.
      const overlapping = await events.read(301, 200);
      await projector.applyBatch(overlapping.events, overlapping.throughSeq);
      expect(projector.checkpoint).toBe(500);
      for (const m of redelivered) m.ack();

      // A restarted projector takes its checkpoint from the read model and consumes the rest
      // through the durable JetStream consumer; the old deliveries change nothing after it.
      const restarted = new Projector(events, store);
      await restarted.start();
      try {
        await restarted.waitFor(history.events.length, 20_000);
      } finally {
        await restarted.stop();
      }
      const final = await answer();
      await restarted.applyBatch(await decode(redelivered), 400);
      await restarted.applyBatch(overlapping.events, overlapping.throughSeq);
      expectSameBody(await answer(), final);
      for (const [i, service] of SERVICES.entries()) {
        expect(reduceAnswer(JSON.parse(final)[i])).toEqual(history.ledger.expected(service));
      }
    } finally {
      await db.close();
      await nc.close();
      await cleanup();
    }
  }, 30_000);
});

