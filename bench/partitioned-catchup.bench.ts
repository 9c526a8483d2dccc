import { DEFAULT_PROJECTION_OPTIONS } from '../src/projector/projection-options.js';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ProjectionProgress } from '../src/cluster/projection-progress.js';
import { PartitionProjectors } from '../src/cluster/partition-projectors.js';
import { SoleOwnership } from '../src/cluster/ownership.js';
import { parseConfig } from '../src/config/index.js';
import { EventStore } from '../src/events/event-store.js';
import { JetStreamEventLog } from '../src/events/jetstream-event-log.js';
import { Projector } from '../src/projector/projector.js';
import { ProjectionStore } from '../src/read-model/projection-store.js';
import { ReadModelDatabase } from '../src/read-model/read-model-database.js';
import { SyntheticFleet } from './synthetic-fleet.js';

// Catch-up of a partitioned JetStream stream into PostgreSQL, in one process: one projector
// over the whole log against one projector per partition. Needs the local NATS and
// PostgreSQL (127.0.0.1, user postgres). Usage (after npm run build):
//   npx tsc -p bench/tsconfig.json && node dist-bench/bench/partitioned-catchup.bench.js [events] [partitions]

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const EVENTS = Number(process.argv[2] ?? 10_000);
const PARTITIONS = Number(process.argv[3] ?? 4);
const PUBLISH_BATCH = 500;

async function postgres(sql: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

async function withDatabase<T>(run: (db: ReadModelDatabase) => Promise<T>): Promise<T> {
  const name = `periskop_bench_${randomBytes(4).toString('hex')}`;
  await postgres(`CREATE DATABASE ${name}`);
  const { repository } = parseConfig({ repository: { type: 'postgres', dsn: `host=127.0.0.1 port=5432 user=postgres dbname=${name} sslmode=disable` }, services: [] }, 'bench.yaml');
  const db = await ReadModelDatabase.create(repository);
  try {
    await db.ready();
    return await run(db);
  } finally {
    await db.close();
    await postgres(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

async function until(done: () => Promise<boolean>): Promise<void> {
  while (!(await done())) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function main(): Promise<void> {
  const suffix = randomBytes(4).toString('hex');
  const stream = `PERISKOP_BENCH_${suffix}`;
  const log = await JetStreamEventLog.connect({ url: NATS_URL, stream, subjectPrefix: `pbench${suffix}` });
  const events = new EventStore(log, {}, PARTITIONS);
  try {
    const fleet = new SyntheticFleet({ services: 40, targetsPerService: 5, keysPerService: 20, stackFrames: 20, seed: 1 });
    for (let published = 0; published < EVENTS; published += PUBLISH_BATCH) {
      const batch = Array.from({ length: Math.min(PUBLISH_BATCH, EVENTS - published) }, (_, i) => ({ id: `e${published + i}`, event: fleet.nextSnapshot() }));
      await events.publish(batch);
    }
    const head = await events.head();

    const whole = await withDatabase(async (db) => {
      const projector = new Projector(events, new ProjectionStore(db));
      const started = performance.now();
      await projector.start();
      await until(async () => projector.checkpoint >= head);
      await projector.stop();
      return performance.now() - started;
    });

    const partitioned = await withDatabase(async (db) => {
      const projectors = new PartitionProjectors(events, db, new SoleOwnership(), PARTITIONS, DEFAULT_PROJECTION_OPTIONS);
      const progress = new ProjectionProgress(events, log, new Projector(events, new ProjectionStore(db)), db, PARTITIONS);
      const started = performance.now();
      await projectors.start();
      await until(async () => (await progress.status()).lag === 0);
      await projectors.stop();
      return performance.now() - started;
    });

    const rate = (ms: number) => Math.round((EVENTS / ms) * 1000);
    process.stdout.write(
      `${EVENTS} events (40 services) into PostgreSQL: one projector ${(whole / 1000).toFixed(2)} s (${rate(whole)} events/s); ` +
        `${PARTITIONS} partition projectors ${(partitioned / 1000).toFixed(2)} s (${rate(partitioned)} events/s)\n`,
    );
  } finally {
    await log.close();
    const nc = await connect({ servers: NATS_URL });
    await (await jetstreamManager(nc)).streams.delete(stream).finally(() => nc.close());
  }
}

await main();
