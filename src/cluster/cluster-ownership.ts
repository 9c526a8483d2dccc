import { Logger } from '@nestjs/common';
import type { Clock } from '../clock/clock.js';
import { encodeServiceToken } from '../events/subject-token.js';
import type { LeaseTable } from './lease-table.js';
import type { Ownership, OwnershipListener } from './ownership.js';
import { ownerOf } from './rendezvous.js';

export interface ClusterOwnershipOptions {
  replicaId: string;
  leaseTtlMs: number;
  services: string[];
  partitions: number;
}

interface HeldLease {
  revision: number;
  /** Clock time of the last successful acquire or renew. */
  renewedAt: number;
}

type Resource = { key: string; service: string } | { key: string; partition: number };

/**
 * Shares services and partitions among the live replicas through leases. Every third of the
 * lease TTL each replica says it is alive, lists the live members, and for every resource
 * computes the desired owner by rendezvous hashing: it renews what it holds and should,
 * gives away what now hashes to another member (a replica joined), and takes what hashes to
 * it and is free (a replica left or died: its leases expire after one TTL). A lease that
 * cannot be renewed in time stops its work at once.
 */
export class ClusterOwnership implements Ownership {
  private readonly logger = new Logger('Cluster');
  private readonly held = new Map<string, HeldLease>();
  private readonly resources: Resource[];
  private readonly serviceListeners: OwnershipListener<string>[] = [];
  private readonly partitionListeners: OwnershipListener<number>[] = [];
  private readonly refreshMs: number;
  private timer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private ticking: Promise<void> = Promise.resolve();
  private stopped = true;

  constructor(
    private readonly leases: LeaseTable,
    private readonly options: ClusterOwnershipOptions,
    private readonly clock: Clock,
  ) {
    this.refreshMs = Math.max(100, Math.floor(options.leaseTtlMs / 3));
    this.resources = [
      ...options.services.map((service) => ({ key: serviceLeaseKey(service), service })),
      ...Array.from({ length: options.partitions }, (_, partition) => ({ key: `partition.${partition}`, partition })),
    ];
  }

  ownsService(service: string): boolean {
    return this.held.has(serviceLeaseKey(service));
  }

  ownsPartition(partition: number): boolean {
    return this.held.has(`partition.${partition}`);
  }

  onServiceChange(listener: OwnershipListener<string>): void {
    this.serviceListeners.push(listener);
  }

  onPartitionChange(listener: OwnershipListener<number>): void {
    this.partitionListeners.push(listener);
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.logger.log(`replica ${this.options.replicaId}: lease TTL ${this.options.leaseTtlMs} ms, refreshed every ${this.refreshMs} ms`);
    this.watchdog = setInterval(() => void this.dropOverdue(), this.refreshMs);
    this.ticking = this.tick();
    await this.ticking;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.watchdog) clearInterval(this.watchdog);
    await this.ticking;
    for (const resource of this.resources) {
      const lease = this.held.get(resource.key);
      if (lease) await this.giveAway(resource, lease).catch((error: unknown) => this.warn(`could not release ${resource.key}`, error));
    }
    await this.leases.leave(this.options.replicaId).catch((error: unknown) => this.warn('could not leave the member list', error));
    await this.leases.close();
  }

  private async tick(): Promise<void> {
    try {
      await this.refresh();
    } catch (error) {
      this.warn('lease refresh failed', error);
    } finally {
      if (!this.stopped) this.timer = setTimeout(() => (this.ticking = this.tick()), this.refreshMs);
    }
  }

  private async refresh(): Promise<void> {
    const me = this.options.replicaId;
    await this.dropOverdue();
    await this.leases.heartbeat(me);
    const members = await this.leases.members();
    if (!members.includes(me)) members.push(me);
    const desired = new Map(this.resources.map((r) => [r, ownerOf(r.key, members)]));
    const held = this.resources.filter((r) => this.held.has(r.key));
    // Renewals first and all at once: a long round must not let a lease run out.
    await Promise.all(held.filter((r) => desired.get(r) === me).map((r) => this.attempt(r, () => this.renew(r, this.held.get(r.key)!))));
    for (const resource of held.filter((r) => desired.get(r) !== me)) {
      const lease = this.held.get(resource.key);
      if (lease) await this.attempt(resource, () => this.giveAway(resource, lease));
    }
    for (const resource of this.resources.filter((r) => desired.get(r) === me && !this.held.has(r.key))) {
      if (this.stopped) return;
      await this.attempt(resource, () => this.take(resource));
    }
  }

  private async attempt(resource: Resource, step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.warn(`lease ${resource.key}`, error);
    }
  }

  private async take(resource: Resource): Promise<void> {
    const revision = await this.leases.acquire(resource.key, this.options.replicaId);
    if (revision === null) return; // still held by its previous owner: it gives it away or it expires
    this.held.set(resource.key, { revision, renewedAt: this.clock.now() });
    this.logger.log(`acquired ${resource.key}`);
    await this.notify(resource, true);
  }

  private async renew(resource: Resource, lease: HeldLease): Promise<void> {
    const renewedAt = this.clock.now();
    const revision = await this.leases.renew(resource.key, this.options.replicaId, lease.revision);
    if (revision === null) return this.lose(resource, 'taken over');
    lease.revision = revision;
    lease.renewedAt = renewedAt;
  }

  /** Stops the work first, then frees the lease for the member it now hashes to. */
  private async giveAway(resource: Resource, lease: HeldLease): Promise<void> {
    this.held.delete(resource.key);
    await this.notify(resource, false);
    await this.leases.release(resource.key, lease.revision);
    this.logger.log(`released ${resource.key}`);
  }

  private async lose(resource: Resource, why: string): Promise<void> {
    if (!this.held.delete(resource.key)) return;
    this.logger.warn(`lost ${resource.key} (${why}): stopping its work`);
    await this.notify(resource, false);
  }

  /** A lease not renewed within its TTL may already be someone else's. */
  private async dropOverdue(): Promise<void> {
    const now = this.clock.now();
    for (const resource of this.resources) {
      const lease = this.held.get(resource.key);
      if (lease && now - lease.renewedAt >= this.options.leaseTtlMs - this.refreshMs / 2) await this.lose(resource, 'not renewed in time');
    }
  }

  private async notify(resource: Resource, owned: boolean): Promise<void> {
    try {
      if ('service' in resource) for (const listener of this.serviceListeners) await listener(resource.service, owned);
      else for (const listener of this.partitionListeners) await listener(resource.partition, owned);
    } catch (error) {
      this.warn(`${owned ? 'starting' : 'stopping'} the work of ${resource.key} failed`, error);
    }
  }

  private warn(what: string, error: unknown): void {
    this.logger.warn(`${what}: ${(error as Error)?.message ?? String(error)}`);
  }
}

export function serviceLeaseKey(service: string): string {
  return `service.${encodeServiceToken(service)}`;
}
