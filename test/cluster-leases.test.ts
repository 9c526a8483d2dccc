import { randomBytes } from 'node:crypto';
import { systemClock } from '../src/clock/clock.js';
import { ClusterOwnership, serviceLeaseKey } from '../src/cluster/cluster-ownership.js';
import { LeaseTable } from '../src/cluster/lease-table.js';
import { assignment } from '../src/cluster/rendezvous.js';
import { deleteStream, NATS_URL } from './support/test-event-logs.js';
import { waitFor } from './support/wait-for.js';

// Leases and ownership on the real NATS KV: exclusive, compare-and-set renewals, expiry after
// the TTL, and a rebalance when a replica joins or leaves.

const TTL_MS = 1_000;

describe('leases in JetStream KV', () => {
  let bucket: string;
  const tables: LeaseTable[] = [];

  async function table(): Promise<LeaseTable> {
    const leases = await LeaseTable.connect(NATS_URL, bucket, TTL_MS, 'periskop-lease-test');
    tables.push(leases);
    return leases;
  }

  beforeEach(() => {
    bucket = `periskop_test_leases_${randomBytes(5).toString('hex')}`;
  });

  afterEach(async () => {
    await Promise.all(tables.splice(0).map((t) => t.close()));
    await deleteStream(`KV_${bucket}`).catch(() => undefined);
  });

  it('is held by one replica at a time; renewals are compare-and-set; release frees it', async () => {
    const [a, b] = [await table(), await table()];
    const revision = await a.acquire('service.x', 'a');
    expect(revision).not.toBeNull();
    expect(await b.acquire('service.x', 'b')).toBeNull();
    expect(await a.holder('service.x')).toBe('a');

    const renewed = await a.renew('service.x', 'a', revision!);
    expect(renewed).toBeGreaterThan(revision!);
    // A stale revision (someone renewed since) is a lost lease.
    expect(await b.renew('service.x', 'b', revision!)).toBeNull();

    await a.release('service.x', renewed!);
    expect(await a.holder('service.x')).toBeNull();
    expect(await b.acquire('service.x', 'b')).not.toBeNull();
    expect(await b.holder('service.x')).toBe('b');
  });

  it('expires when not renewed within the TTL; members too', async () => {
    const [a, b] = [await table(), await table()];
    await a.heartbeat('replica a');
    await b.heartbeat('replica.b');
    expect(await a.members()).toEqual(['replica a', 'replica.b']);
    expect(await a.acquire('partition.0', 'a')).not.toBeNull();

    await waitFor(async () => (await b.acquire('partition.0', 'b')) !== null, 5 * TTL_MS, 'the lease to expire');
    await b.heartbeat('replica.b');
    expect(await b.members()).toEqual(['replica.b']);
  });

  it('rebalances services and partitions when a replica joins and when it leaves', async () => {
    const services = ['checkout', 'api.payments v2', 'search', 'mail', 'auth', 'reports', 'ui', 'billing'];
    const options = (replicaId: string) => ({ replicaId, leaseTtlMs: TTL_MS, services, partitions: 2 });
    const a = new ClusterOwnership(await table(), options('a'), systemClock);
    const b = new ClusterOwnership(await table(), options('b'), systemClock);
    const changes: string[] = [];
    a.onServiceChange((service, owned) => void changes.push(`a ${owned ? '+' : '-'}${service}`));
    b.onServiceChange((service, owned) => void changes.push(`b ${owned ? '+' : '-'}${service}`));

    await a.start();
    expect(services.every((s) => a.ownsService(s)) && [0, 1].every((k) => a.ownsPartition(k))).toBe(true);

    await b.start();
    const keys = [...services.map(serviceLeaseKey), 'partition.0', 'partition.1'];
    const desired = assignment(keys, ['a', 'b']);
    const ownedBy = (o: ClusterOwnership) => [...services.filter((s) => o.ownsService(s)).map(serviceLeaseKey), ...[0, 1].filter((k) => o.ownsPartition(k)).map((k) => `partition.${k}`)];
    await waitFor(() => JSON.stringify(ownedBy(b)) === JSON.stringify(desired.get('b')), 10 * TTL_MS, 'b to take its share');
    expect(ownedBy(a)).toEqual(desired.get('a'));
    // A service moved only after its old owner let it go.
    for (const service of services.filter((s) => b.ownsService(s))) {
      expect(changes.indexOf(`a -${service}`)).toBeLessThan(changes.indexOf(`b +${service}`));
    }

    await b.stop();
    await waitFor(() => ownedBy(a).length === keys.length, 10 * TTL_MS, 'a to take everything back');
    await a.stop();
  });
});
