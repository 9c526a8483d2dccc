import type { SnapshotStore } from '../src/history/snapshot-store.js';

// What every SnapshotStore adapter promises, run against each of them (no mocks).

export function describeSnapshotStoreContract(label: string, open: () => Promise<{ store: SnapshotStore; cleanup: () => Promise<void> }>): void {
  describe(`${label} snapshot store contract`, () => {
    let store: SnapshotStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });

    afterEach(async () => {
      await cleanup();
    });

    const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

    it('is empty at first', async () => {
      expect(await store.list()).toEqual([]);
    });

    it('lists snapshots oldest first with their sequence, time and size, and hands back their bytes', async () => {
      const later = await store.put(2_000, 1_700_000_002_000, bytes(10, 2));
      const earlier = await store.put(1_000, 1_700_000_001_000, bytes(3 * 1024 * 1024 + 5, 1));
      expect(await store.list()).toEqual([earlier, later]);
      expect(earlier).toMatchObject({ seq: 1_000, at: 1_700_000_001_000, bytes: 3 * 1024 * 1024 + 5 });
      expect(Buffer.from(await store.get(earlier)).equals(Buffer.from(bytes(3 * 1024 * 1024 + 5, 1)))).toBe(true);
      expect([...(await store.get(later))]).toEqual([...bytes(10, 2)]);
    });

    it('removes a snapshot', async () => {
      const first = await store.put(1, 10, bytes(1, 1));
      const second = await store.put(2, 20, bytes(1, 2));
      await store.remove(first);
      expect(await store.list()).toEqual([second]);
    });

    it('replaces a snapshot of the same sequence and time', async () => {
      await store.put(5, 50, bytes(1, 1));
      const again = await store.put(5, 50, bytes(2, 7));
      expect(await store.list()).toEqual([again]);
      expect([...(await store.get(again))]).toEqual([7, 7]);
    });
  });
}
