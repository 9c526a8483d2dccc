import { Objm, StorageType, type ObjectStore } from '@nats-io/obj';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { bySeq, parseSnapshotName, snapshotName, type SnapshotInfo, type SnapshotStore } from './snapshot-store.js';

export interface ObjectStoreSnapshotOptions {
  url: string;
  bucket: string;
  replicas?: number;
}

/** Snapshots in a JetStream object store bucket, shared by every replica on the stream. */
export class ObjectStoreSnapshotStore implements SnapshotStore {
  readonly description: string;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly bucket: ObjectStore,
    bucketName: string,
  ) {
    this.description = `JetStream object store ${bucketName}`;
  }

  static async connect(options: ObjectStoreSnapshotOptions): Promise<ObjectStoreSnapshotStore> {
    const nc = await connect({ servers: options.url, name: 'periskop-snapshots', maxReconnectAttempts: -1 });
    try {
      // create() opens the bucket when it exists already.
      const bucket = await new Objm(nc).create(options.bucket, { storage: StorageType.File, replicas: options.replicas ?? 1 });
      return new ObjectStoreSnapshotStore(nc, bucket, options.bucket);
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  async list(): Promise<SnapshotInfo[]> {
    const found: SnapshotInfo[] = [];
    for (const info of await this.bucket.list()) {
      const parsed = info.deleted ? null : parseSnapshotName(info.name);
      if (parsed) found.push({ name: info.name, ...parsed, bytes: info.size });
    }
    return found.sort(bySeq);
  }

  async put(seq: number, at: number, data: Uint8Array): Promise<SnapshotInfo> {
    const name = snapshotName(seq, at);
    // The object's meta is written after all its chunks: a reader never sees half of it.
    await this.bucket.putBlob({ name }, data);
    return { name, seq, at, bytes: data.byteLength };
  }

  async get(snapshot: SnapshotInfo): Promise<Uint8Array> {
    const data = await this.bucket.getBlob(snapshot.name);
    if (!data) throw new Error(`snapshot ${snapshot.name} is missing from ${this.description}`);
    return data;
  }

  async remove(snapshot: SnapshotInfo): Promise<void> {
    await this.bucket.delete(snapshot.name);
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain();
  }
}
