import { join } from 'node:path';
import autocannon from 'autocannon';
import { EmbeddedEventLog } from '../src/events/embedded-event-log.js';
import { EventStore, type EventToPublish } from '../src/events/event-store.js';
import { atLeast, atMost, round, type BenchContext, type Benchmark, type Figure } from './suite.js';
import { ServerUnderTest } from './server-under-test.js';
import { SyntheticFleet } from './synthetic-fleet.js';
import { leaveBodiesUnread } from './unread-bodies.js';

// GET /services/:service/errors/ (the Go API) under autocannon, 100 connections, against the
// built server with a SQLite read model holding 200, then 10,000 aggregates of one service,
// asked without and with Accept-Encoding: gzip.
// The read model is filled the way production fills it: events in the embedded log, projected
// by the server at start; the load starts once the projection has drained.

const GOAL_REQUESTS_PER_SECOND = 1_000;
const GOAL_P99_MS = 100;
const CONNECTIONS = 100;
const SERVICE = 'checkout';
/** Occurrences each aggregate holds (a client's report of a rare error). */
const OCCURRENCES_PER_AGGREGATE = 1;
const KEYS_PER_EVENT = 100;
const BIG_BODY_TIMEOUT_S = 60;

async function writeEvents(dir: string, aggregates: number, seed: number): Promise<void> {
  const fleet = new SyntheticFleet({ services: 1, targetsPerService: 1, keysPerService: aggregates, stackFrames: 20, seed });
  const payload = fleet.instancePayload(0, aggregates, OCCURRENCES_PER_AGGREGATE, 0);
  const log = EmbeddedEventLog.open(dir);
  try {
    const items: EventToPublish[] = [];
    for (let i = 0; i < payload.length; i += KEYS_PER_EVENT) {
      items.push({
        id: `bench-api-${i}`,
        event: {
          type: 'SnapshotScraped',
          version: 1,
          service: SERVICE,
          at: Date.UTC(2025, 0, 1) + i,
          data: { target: 'http://checkout-0:7777/errors', target_uuid: 'bench', source: 'push', aggregated_errors: payload.slice(i, i + KEYS_PER_EVENT) },
        },
      });
    }
    await new EventStore(log).publish(items);
  } finally {
    await log.close();
  }
}

async function measure(ctx: BenchContext, aggregates: number, seconds: number): Promise<Figure[]> {
  const loaded = await ServerUnderTest.start(
    ctx.root,
    (dir) => ({ repository: { type: 'sqlite', path: join(dir, 'read-model.sqlite') }, events: { type: 'embedded', path: join(dir, 'events') }, services: [] }),
    // Events in the log before the start: the server projects them as it catches up.
    (dir) => writeEvents(join(dir, 'events'), aggregates, ctx.options.seed),
  );
  try {
    await loaded.drained();
    const url = `${loaded.baseUrl}/services/${SERVICE}/errors/`;
    const probe = await fetch(url);
    const body = await probe.text();
    const count = (JSON.parse(body) as unknown[]).length;
    if (count !== aggregates) throw new Error(`the API lists ${count} errors, expected ${aggregates}`);
    // MBs per answer (10,000 aggregates: ~22 MB) over 100 connections take seconds each: a
    // longer timeout than autocannon's 10 s, so the run measures them instead of failing.
    const timeout = aggregates > 200 ? BIG_BODY_TIMEOUT_S : 10;
    const command = ctx.commandFor('api');
    const goals = aggregates <= 200;
    const figures: Figure[] = [];
    // Go clients never ask for gzip (the goal is theirs); browsers and curl --compressed do.
    for (const encoding of ['identity', 'gzip'] as const) {
      ctx.progress(`${aggregates} aggregates, ${encoding}: autocannon ${seconds} s`);
      const result = await autocannon({ url, connections: CONNECTIONS, setupClient: leaveBodiesUnread, duration: seconds, timeout, headers: { 'accept-encoding': encoding } });
      const bytesPerAnswer = result.requests.total > 0 ? Math.round(result.throughput.total / result.requests.total) : 0;
      // Bodies are left unread (unread-bodies.ts): their byte count proves they arrived whole.
      if (encoding === 'identity' && result.requests.total > 0 && bytesPerAnswer < Buffer.byteLength(body)) {
        throw new Error(`answers averaged ${bytesPerAnswer} bytes, shorter than the ${Buffer.byteLength(body)}-byte body`);
      }
      const details = {
        aggregates,
        occurrencesPerAggregate: OCCURRENCES_PER_AGGREGATE,
        responseBytes: Buffer.byteLength(body),
        bytesPerAnswer,
        acceptEncoding: encoding,
        connections: CONNECTIONS,
        seconds,
        timeoutSeconds: timeout,
        totalRequests: result.requests.total,
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
      };
      const failed = result.errors + result.timeouts + result.non2xx;
      // Only answered requests count: a run with failures reports 0 req/s for the goal.
      const rps = failed > 0 ? 0 : result.requests.average;
      // No answered request (all timed out): the latency is unbounded.
      const p99 = result.requests.total === 0 || result.latency.p99 === 0 ? Infinity : result.latency.p99;
      const withGoal = goals && encoding === 'identity';
      const what = `api: GET /services/:s/errors/ with ${aggregates.toLocaleString('en-US')} aggregates${encoding === 'gzip' ? ', gzip' : ''}`;
      figures.push(
        {
          figure: `${what}, req/s`,
          value: round(rps),
          unit: 'req/s',
          goal: withGoal ? `≥ ${GOAL_REQUESTS_PER_SECOND.toLocaleString('en-US')}` : null,
          met: withGoal ? atLeast(rps, GOAL_REQUESTS_PER_SECOND) : null,
          command,
          details,
        },
        {
          figure: `${what}, p99`,
          value: p99,
          unit: 'ms',
          goal: withGoal ? `≤ ${GOAL_P99_MS}` : null,
          met: withGoal ? atMost(p99, GOAL_P99_MS) : null,
          command,
        },
      );
    }
    return figures;
  } finally {
    await loaded.stop(ctx.options.keep);
  }
}

export const apiBenchmark: Benchmark = {
  name: 'api',
  describe: `GET /services/:s/errors/ under autocannon (${CONNECTIONS} connections), 200 and 10,000 aggregates, built server + SQLite`,
  async run(ctx: BenchContext): Promise<Figure[]> {
    const seconds = ctx.options.quick ? 2 : 15;
    return [...(await measure(ctx, 200, seconds)), ...(await measure(ctx, ctx.options.quick ? 1_000 : 10_000, seconds))];
  },
};
