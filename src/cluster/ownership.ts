// Who does which work. In one process everything is this replica's (SoleOwnership); in a
// cluster, leases decide (ClusterOwnership). Listeners are awaited: a replica giving work
// away stops it completely before the lease is released.

export type OwnershipListener<T> = (subject: T, owned: boolean) => Promise<void> | void;

export interface Ownership {
  ownsService(service: string): boolean;
  ownsPartition(partition: number): boolean;
  onServiceChange(listener: OwnershipListener<string>): void;
  onPartitionChange(listener: OwnershipListener<number>): void;
  /** Starts taking leases (after every listener is registered). */
  start(): Promise<void>;
  /** Stops the work it owns and gives its leases back. */
  stop(): Promise<void>;
}

export const OWNERSHIP = Symbol('Ownership');

/** A single process: every service and every partition is its own, no lease is taken. */
export class SoleOwnership implements Ownership {
  ownsService(): boolean {
    return true;
  }

  ownsPartition(): boolean {
    return true;
  }

  onServiceChange(): void {}

  onPartitionChange(): void {}

  async start(): Promise<void> {}

  async stop(): Promise<void> {}
}
