import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { dump } from 'js-yaml';
import { CrashablePeriskop } from './crashable-periskop.js';
import { createTestDatabase, type TestDatabase } from './test-databases.js';
import { deleteStream, NATS_URL, uniqueStreamNames } from './test-event-logs.js';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const run = promisify(execFile);

/**
 * Several replicas of the real server (child processes on loopback) on one config file: one
 * JetStream stream of the test's own, its lease bucket, and one PostgreSQL database. Each
 * replica's id defaults to hostname-pid, so one file serves them all.
 */
export class PeriskopCluster {
  readonly replicas: CrashablePeriskop[] = [];

  private constructor(
    private readonly dir: string,
    private readonly file: string,
    private readonly stream: string,
    private readonly database: TestDatabase,
    private readonly replicaFile: (index: number) => Promise<string>,
  ) {}

  /** `config`: the file's content without `repository` and `events`, which the cluster sets. */
  static async start(config: Record<string, unknown>, options: { replicas: number; partitions: number; leaseTtl: string }): Promise<PeriskopCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'periskop-cluster-'));
    const names = uniqueStreamNames();
    const database = await createTestDatabase('postgres');
    const file = join(dir, 'periskop.yaml');
    const shared = {
      ...config,
      repository: database.section,
      events: { type: 'jetstream', url: NATS_URL, stream: names.stream, subject_prefix: names.subjectPrefix, partitions: options.partitions },
    };
    await writeFile(file, dump({ ...shared, cluster: { enabled: true, lease_ttl: options.leaseTtl } }));
    // Fixed replica ids (replica-0, replica-1, …): who owns what is then the same on every run.
    // With the default hostname-pid ids, 2 replicas and 6 services all hash to one replica in
    // 1 run out of 32.
    const replicaFile = async (index: number) => {
      const path = join(dir, `periskop-${index}.yaml`);
      await writeFile(path, dump({ ...shared, cluster: { enabled: true, lease_ttl: options.leaseTtl, replica_id: `replica-${index}` } }));
      return path;
    };
    const cluster = new PeriskopCluster(dir, file, names.stream, database, replicaFile);
    for (let i = 0; i < options.replicas; i++) await cluster.add();
    return cluster;
  }

  async add(): Promise<CrashablePeriskop> {
    const replica = await CrashablePeriskop.start(await this.replicaFile(this.replicas.length));
    this.replicas.push(replica);
    await replica.ready();
    return replica;
  }

  /** `periskop replay` on the cluster's config, as an operator runs it (replicas stopped). */
  async replay(): Promise<string> {
    const { stdout } = await run(process.execPath, [MAIN, 'replay', '--config', this.file], { env: { ...process.env, CONFIG_FILE: '' } });
    return stdout;
  }

  async stopReplicas(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.stop()));
  }

  get live(): CrashablePeriskop[] {
    return this.replicas.filter((r) => !r.exited);
  }

  async stop(): Promise<void> {
    await this.stopReplicas();
    await deleteStream(this.stream).catch(() => undefined);
    await deleteStream(`KV_${this.stream}_leases`).catch(() => undefined);
    await this.database.drop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The lease keys (`service.<token>`, `partition.<k>`) a replica holds now, from its log. */
export function leasesHeld(log: string): Set<string> {
  const held = new Set<string>();
  for (const match of log.matchAll(/(acquired|released|lost) ((?:service|partition)\.[A-Za-z0-9_-]+)/g)) {
    if (match[1] === 'acquired') held.add(match[2]!);
    else held.delete(match[2]!);
  }
  return held;
}
