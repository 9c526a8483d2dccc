import { randomBytes } from 'node:crypto';
import { Objm } from '@nats-io/obj';
import { connect } from '@nats-io/transport-node';
import { DirectorySnapshotStore } from '../src/history/directory-snapshot-store.js';
import { ObjectStoreSnapshotStore } from '../src/history/object-store-snapshot-store.js';
import { describeSnapshotStoreContract } from './snapshot-store.contract.js';
import { NATS_URL, temporaryDir } from './support/test-event-logs.js';

describeSnapshotStoreContract('directory', async () => {
  const { dir, remove } = await temporaryDir();
  const store = new DirectorySnapshotStore(`${dir}/nested/snapshots`);
  return { store, cleanup: async () => (await store.close(), await remove()) };
});

describeSnapshotStoreContract('JetStream object store', async () => {
  const bucket = `PERISKOP_TEST_SNAPSHOTS_${randomBytes(6).toString('hex')}`;
  const store = await ObjectStoreSnapshotStore.connect({ url: NATS_URL, bucket });
  return {
    store,
    cleanup: async () => {
      await store.close();
      const nc = await connect({ servers: NATS_URL });
      try {
        // The bucket exists only once a snapshot was put.
        await (await new Objm(nc).open(bucket).catch(() => null))?.destroy();
      } finally {
        await nc.close();
      }
    },
  };
});

describe('JetStream object store snapshot store', () => {
  it('creates its bucket with the first snapshot, not before', async () => {
    const bucket = `PERISKOP_TEST_SNAPSHOTS_${randomBytes(6).toString('hex')}`;
    const store = await ObjectStoreSnapshotStore.connect({ url: NATS_URL, bucket });
    const nc = await connect({ servers: NATS_URL });
    try {
      expect(await store.list()).toEqual([]);
      await expect(new Objm(nc).open(bucket)).rejects.toThrow('object store not found');
      await store.put(1, 1, new Uint8Array([1]));
      expect((await store.list()).map((s) => s.seq)).toEqual([1]);
      await (await new Objm(nc).open(bucket)).destroy();
    } finally {
      await store.close();
      await nc.close();
    }
  });
});
