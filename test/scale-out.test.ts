import { errorsPayload, MockTarget } from './support/mock-target.js';
import { leasesHeld, PeriskopCluster } from './support/periskop-cluster.js';
import { waitFor } from './support/wait-for.js';

// Several replicas on one JetStream stream (3 partitions) and one PostgreSQL database:
// every service scraped by exactly one replica, counts exact, any replica answers, and a
// replica killed with SIGKILL has its services and partitions taken over.

const SERVICES = ['checkout', 'api.payments v2', 'search', 'mail', 'auth', 'reports'];
const REFRESH_MS = 500;
// Short for a quick takeover, long enough that a loaded CI machine still renews in time.
const LEASE_TTL = '2s';

interface Fleet {
  targets: MockTarget[];
  totals: number[];
}

async function startFleet(): Promise<Fleet> {
  const fleet: Fleet = { targets: [], totals: SERVICES.map(() => 0) };
  for (const [i, service] of SERVICES.entries()) {
    const target = await MockTarget.start();
    target.body = () =>
      errorsPayload(`uuid-${i}`, [
        {
          key: `Boom@${service}`,
          total: fleet.totals[i]!,
          occurrences: fleet.totals[i]! === 0 ? [] : [{ uuid: `occ-${i}-${fleet.totals[i]}`, timestamp: '2026-11-23T10:00:00Z' }],
        },
      ]);
    fleet.targets.push(target);
  }
  return fleet;
}

function clusterConfig(fleet: Fleet) {
  return {
    services: SERVICES.map((name, i) => ({
      name,
      static_configs: [{ targets: [fleet.targets[i]!.address] }],
      scraper: { endpoint: '/errors', refresh_interval: `${REFRESH_MS}ms` },
    })),
  };
}

async function totalsSeenBy(cluster: PeriskopCluster, replica = 0): Promise<number[]> {
  const api = cluster.live[replica]!;
  return Promise.all(
    SERVICES.map(async (service) => {
      const answer = await api.get(`/services/${encodeURIComponent(service)}/errors/`);
      if (answer.status !== 200) return -1;
      const errors = answer.json() as { aggregation_key: string; total_count: number }[];
      return errors.find((e) => e.aggregation_key === `Boom@${service}`)?.total_count ?? 0;
    }),
  );
}

async function expectTotals(cluster: PeriskopCluster, fleet: Fleet, timeoutMs: number): Promise<void> {
  const expected = JSON.stringify(fleet.totals);
  await waitFor(async () => JSON.stringify(await totalsSeenBy(cluster)) === expected, timeoutMs, `totals ${expected}`);
  // Stateless API replicas: every live one answers the same.
  for (let r = 1; r < cluster.live.length; r++) expect(await totalsSeenBy(cluster, r)).toEqual(fleet.totals);
}

/** Hits on every target during `ms`: one owner scrapes a target once per refresh interval. */
async function hitsDuring(fleet: Fleet, ms: number): Promise<number[]> {
  const before = fleet.targets.map((t) => t.hits);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return fleet.targets.map((t, i) => t.hits - before[i]!);
}

function servicesHeld(log: string): string[] {
  return [...leasesHeld(log)].filter((key) => key.startsWith('service.'));
}

describe('scale-out: replicas sharing one stream and one database', () => {
  let fleet: Fleet;
  let cluster: PeriskopCluster | undefined;

  beforeEach(async () => {
    fleet = await startFleet();
  });

  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
    await Promise.all(fleet.targets.map((t) => t.stop()));
  });

  it('two replicas split the scraping, never double it, and count exactly', async () => {
    fleet.totals = SERVICES.map((_, i) => i + 1);
    cluster = await PeriskopCluster.start(clusterConfig(fleet), { replicas: 2, partitions: 3, leaseTtl: LEASE_TTL });
    await expectTotals(cluster, fleet, 20_000);

    // Both replicas own services, and none twice.
    await waitFor(() => cluster!.live.every((r) => servicesHeld(r.log).length > 0), 10_000, 'both replicas to own services');
    const [a, b] = cluster.live.map((r) => servicesHeld(r.log));
    expect(a!.filter((key) => b!.includes(key))).toEqual([]);

    // Each target scraped once per interval, not once per replica.
    const hits = await hitsDuring(fleet, 3_000);
    for (const count of hits) expect(count).toBeLessThanOrEqual(3_000 / REFRESH_MS + 2);
    for (const count of hits) expect(count).toBeGreaterThanOrEqual(3_000 / REFRESH_MS - 2);

    fleet.totals = fleet.totals.map((t) => t + 10);
    await expectTotals(cluster, fleet, 10_000);

    // Each replica exports the checkpoint of each partition it projects, one series each, and
    // no partition is exported by both.
    const exported = await Promise.all(
      cluster.live.map(async (r) => [...(await r.get('/metrics')).body.matchAll(/^periskop_projector_checkpoint\{partition="(\d)"\} \d+$/gm)].map((m) => m[1])),
    );
    expect(exported.flat().length).toBeGreaterThan(0);
    expect(new Set(exported.flat()).size).toBe(exported.flat().length);

    // A resolve answered by one replica is visible on the other at once.
    const [first, second] = cluster.live;
    const resolved = await fetch(`${first!.baseUrl}/services/checkout/errors/Boom@checkout/`, { method: 'DELETE' });
    expect(resolved.status).toBe(204);
    const open = (await second!.get('/services/checkout/errors/')).json() as { aggregation_key: string }[];
    expect(open.map((e) => e.aggregation_key)).toEqual([]);

    // A full replay rebuilds every partition at once; the partition projectors go on from its end.
    await cluster.stopReplicas();
    const replayed = /replayed \d+ events through sequence (\d+)/.exec(await cluster.replay());
    const throughSeq = Number(replayed?.[1]);
    expect(throughSeq).toBeGreaterThan(0);
    const restarted = await cluster.add();
    const status = (await restarted.get('/-/projection')).json() as { partitions: { checkpoint: number }[] };
    for (const partition of status.partitions) expect(partition.checkpoint).toBeGreaterThanOrEqual(throughSeq);
    fleet.totals[0] = 0; // resolved: hidden until it regresses
    expect((await totalsSeenBy(cluster)).slice(1)).toEqual(fleet.totals.slice(1));
    expect((await totalsSeenBy(cluster))[0]).toBe(0);
  });

  it('a replica killed with SIGKILL has its services and partitions taken over, totals still exact', async () => {
    fleet.totals = SERVICES.map(() => 5);
    cluster = await PeriskopCluster.start(clusterConfig(fleet), { replicas: 3, partitions: 3, leaseTtl: LEASE_TTL });
    await expectTotals(cluster, fleet, 20_000);
    await waitFor(() => cluster!.live.filter((r) => servicesHeld(r.log).length > 0).length >= 2, 10_000, 'services spread');

    const victim = cluster.live.find((r) => servicesHeld(r.log).length > 0 && [...leasesHeld(r.log)].some((k) => k.startsWith('partition.')))
      ?? cluster.live.find((r) => servicesHeld(r.log).length > 0)!;
    const orphaned = [...leasesHeld(victim.log)];
    const killedAt = Date.now();
    await victim.crash();
    // Its leases expire after the TTL; the survivors take them on their next renewal round.
    await waitFor(() => orphaned.every((key) => cluster!.live.some((r) => leasesHeld(r.log).has(key))), 10_000, 'the takeover');
    const takeoverMs = Date.now() - killedAt;
    console.log(`takeover of ${orphaned.length} leases after SIGKILL: ${takeoverMs} ms (lease_ttl ${LEASE_TTL})`);
    expect(takeoverMs).toBeLessThan(8_000);

    fleet.totals = fleet.totals.map((t, i) => t + 3 + i);
    await expectTotals(cluster, fleet, 15_000);
    // Each by exactly one survivor (once a handover between survivors, if any, is done).
    await waitFor(
      () => orphaned.every((key) => cluster!.live.filter((r) => leasesHeld(r.log).has(key)).length === 1),
      10_000,
      'one owner per lease',
    );

    const hits = await hitsDuring(fleet, 2_000);
    for (const count of hits) expect(count).toBeLessThanOrEqual(2_000 / REFRESH_MS + 2);

    fleet.totals = fleet.totals.map((t) => t + 1);
    await expectTotals(cluster, fleet, 10_000);
  });
});
