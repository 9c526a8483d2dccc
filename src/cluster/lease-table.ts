import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { encodeServiceToken } from '../events/subject-token.js';

// Leases and membership in one JetStream KV bucket whose TTL is the lease TTL: a key nobody
// updates for that long disappears, so a dead replica's leases free themselves.
// acquire = create (fails while held), renew = update at the last revision (compare-and-set),
// release = delete at the last revision. Keys: `members.<replica-token>`, `service.<token>`,
// `partition.<k>`.

const MEMBERS = 'members.';
/** A KV call that hangs must not keep a lease the replica can no longer renew. */
const KV_TIMEOUT_MS = 2_000;

export class LeaseTable {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly kv: KV,
  ) {}

  /** Its own connection, so leases do not queue behind event publishes. */
  static async connect(url: string, bucket: string, ttlMs: number, name: string): Promise<LeaseTable> {
    const nc = await connect({ servers: url, name, maxReconnectAttempts: -1 });
    try {
      return new LeaseTable(nc, await openBucket(new Kvm(nc), bucket, ttlMs));
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain();
  }

  /** The lease's revision, or null when someone else holds it. */
  async acquire(key: string, holder: string): Promise<number | null> {
    try {
      return await this.kv.create(key, holder);
    } catch (error) {
      if (isHeld(error)) return null;
      throw error;
    }
  }

  /** The new revision, or null when the lease was lost (expired, taken over). */
  async renew(key: string, holder: string, revision: number): Promise<number | null> {
    try {
      return await this.kv.update(key, holder, revision, KV_TIMEOUT_MS);
    } catch (error) {
      if (isHeld(error)) return null;
      throw error;
    }
  }

  async release(key: string, revision: number): Promise<void> {
    await this.kv.delete(key, { previousSeq: revision }).catch((error: unknown) => {
      // Already expired or taken: nothing to give back.
      if (!isHeld(error)) throw error;
    });
  }

  /** Says this replica is alive for another TTL. */
  async heartbeat(replicaId: string): Promise<void> {
    await this.kv.put(memberKey(replicaId), replicaId);
  }

  async leave(replicaId: string): Promise<void> {
    await this.kv.delete(memberKey(replicaId));
  }

  /** Replicas whose heartbeat is younger than the TTL. */
  async members(): Promise<string[]> {
    const members: string[] = [];
    for await (const key of await this.kv.keys(`${MEMBERS}>`)) {
      const entry = await this.kv.get(key);
      if (entry && entry.operation === 'PUT') members.push(entry.string());
    }
    return members.sort();
  }

  /** Who holds `key`, null when nobody. */
  async holder(key: string): Promise<string | null> {
    const entry = await this.kv.get(key);
    return entry && entry.operation === 'PUT' ? entry.string() : null;
  }
}

async function openBucket(kvm: Kvm, bucket: string, ttlMs: number): Promise<KV> {
  try {
    return await kvm.create(bucket, { ttl: ttlMs, history: 1, timeout: KV_TIMEOUT_MS });
  } catch (error) {
    // The bucket exists with another TTL (replicas of an older configuration): use it as it is.
    if (!(error instanceof JetStreamApiError)) throw error;
    return kvm.open(bucket, { timeout: KV_TIMEOUT_MS });
  }
}

function memberKey(replicaId: string): string {
  return MEMBERS + encodeServiceToken(replicaId);
}

function isHeld(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamWrongLastSequence || error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}
