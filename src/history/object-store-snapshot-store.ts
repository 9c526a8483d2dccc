import { Objm, StorageType, type ObjectStore } from '@nats-io/obj';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { bySeq, parseSnapshotName, snapshotName, type SnapshotInfo, type SnapshotStore } from './snapshot-store.js';

export interface ObjectStoreSnapshotOptions {
  url: string;
  bucket: string;
  replicas?: number;
}

/**
 * Snapshots in a JetStream object store bucket, shared by every replica on the stream. The
 * bucket is created with the first snapshot, so a server that never takes one leaves none.
 */
export class ObjectStoreSnapshotStore implements SnapshotStore {
  readonly description: string;
  private bucket: ObjectStore | null = null;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly options: ObjectStoreSnapshotOptions,
  ) {
    this.description = `JetStream object store ${options.bucket}`;
  }

  static async connect(options: ObjectStoreSnapshotOptions): Promise<ObjectStoreSnapshotStore> {
    const nc = await connect({ servers: options.url, name: 'periskop-snapshots', maxReconnectAttempts: -1 });
    return new ObjectStoreSnapshotStore(nc, options);
  }

  async list(): Promise<SnapshotInfo[]> {
    const bucket = await this.existing();
    const found: SnapshotInfo[] = [];
    for (const info of bucket ? await bucket.list() : []) {
      const parsed = info.deleted ? null : parseSnapshotName(info.name);
      if (parsed) found.push({ name: info.name, ...parsed, bytes: info.size });
    }
    return found.sort(bySeq);
  }

  async put(seq: number, at: number, data: Uint8Array): Promise<SnapshotInfo> {
    const name = snapshotName(seq, at);
    // create() opens the bucket when it exists already.
    this.bucket ??= await new Objm(this.nc).create(this.options.bucket, { storage: StorageType.File, replicas: this.options.replicas ?? 1 });
    // The object's meta is written after all its chunks: a reader never sees half of it.
    await this.bucket.putBlob({ name }, data);
    return { name, seq, at, bytes: data.byteLength };
  }

  async get(snapshot: SnapshotInfo): Promise<Uint8Array> {
    const data = await (await this.existing())?.getBlob(snapshot.name);
    if (!data) throw new Error(`snapshot ${snapshot.name} is missing from ${this.description}`);
    return data;
  }

  async remove(snapshot: SnapshotInfo): Promise<void> {
    await (await this.existing())?.delete(snapshot.name);
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain();
  }

  /** The bucket, or null while no snapshot was ever taken (another replica may create it). */
  private async existing(): Promise<ObjectStore | null> {
    if (this.bucket) return this.bucket;
    try {
      this.bucket = await new Objm(this.nc).open(this.options.bucket);
      return this.bucket;
    } catch (error) {
      if ((error as Error).message === 'object store not found') return null;
      throw error;
    }
  }
}
