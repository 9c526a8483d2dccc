import { join } from 'node:path';
import type { EventsConfig } from '../config/config.types.js';
import { DirectorySnapshotStore } from './directory-snapshot-store.js';
import { ObjectStoreSnapshotStore } from './object-store-snapshot-store.js';
import type { SnapshotStore } from './snapshot-store.js';

/** Snapshots live beside the log: `<path>/snapshots`, or the bucket `<stream>_SNAPSHOTS`. */
export async function openSnapshotStore(config: EventsConfig): Promise<SnapshotStore> {
  switch (config.type) {
    case 'embedded':
      return new DirectorySnapshotStore(join(config.path, 'snapshots'));
    case 'jetstream':
      return ObjectStoreSnapshotStore.connect({ url: config.url, bucket: `${config.stream}_SNAPSHOTS`, replicas: config.replicas });
    default: {
      const unknown: never = config;
      throw new Error(`unknown event log ${JSON.stringify(unknown)}`);
    }
  }
}
