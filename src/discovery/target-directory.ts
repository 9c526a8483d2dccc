import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CLOCK, type Clock } from '../clock/clock.js';
import { OWNERSHIP, type Ownership } from '../cluster/ownership.js';
import { PERISKOP_CONFIG, type PeriskopConfig, type ServiceConfig } from '../config/config.types.js';
import type { DiscoveredTarget } from '../events/events.js';
import { EventStore } from '../events/event-store.js';
import { PeriskopMetrics } from '../metrics/periskop-metrics.js';
import { discoveryMechanisms } from './discovery-mechanisms.js';
import { finalTargets } from './final-targets.js';
import { relabelWith } from './relabel.js';
import type { DiscoveryMechanism, TargetGroup } from './target-group.js';

const REPUBLISH_AFTER_MS = 5_000;

export type TargetsListener = (service: string, targets: DiscoveredTarget[]) => void;

/**
 * The current targets of every service, from its discovery mechanisms. A change takes effect
 * at once for the scraper (listeners) and is recorded as TargetsDiscovered; a recording that
 * fails is tried again until it succeeds.
 */
@Injectable()
export class TargetDirectory {
  private readonly logger = new Logger('Discovery');
  private readonly current = new Map<string, DiscoveredTarget[]>();
  private readonly recorded = new Map<string, string>();
  private readonly groups = new Map<string, Map<string, TargetGroup[]>>();
  private readonly running: DiscoveryMechanism[] = [];
  private readonly listeners: TargetsListener[] = [];
  private recording: Promise<void> = Promise.resolve();
  private retry: NodeJS.Timeout | null = null;

  constructor(
    @Inject(PERISKOP_CONFIG) private readonly config: PeriskopConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly events: EventStore,
    private readonly metrics: PeriskopMetrics,
    @Inject(OWNERSHIP) private readonly ownership: Ownership,
  ) {
    // In a cluster only the replica owning a service records its targets; a new owner records
    // them again (the projector replaces the list, so a repetition changes nothing).
    ownership.onServiceChange((service, owned) => {
      this.recorded.delete(service);
      if (owned) this.recording = this.recording.then(() => this.record());
    });
  }

  onChange(listener: TargetsListener): void {
    this.listeners.push(listener);
  }

  /** Starts every mechanism; resolves once the targets known at start are recorded. */
  async start(): Promise<void> {
    for (const service of this.config.services) {
      this.current.set(service.name, []);
      for (const mechanism of discoveryMechanisms(service)) {
        this.running.push(mechanism);
        await mechanism.start(
          (groups) => this.update(service, mechanism.name, groups),
          () => this.metrics.discoveryFailures.inc({ service_name: service.name, mechanism: mechanism.name }),
        );
      }
      // A service without targets yet is still a service: record it.
      if (!this.groups.has(service.name)) this.changed(service.name, []);
    }
    await this.recording;
  }

  async stop(): Promise<void> {
    if (this.retry) clearTimeout(this.retry);
    await Promise.allSettled(this.running.map((m) => m.stop()));
    await this.recording;
  }

  targetsOf(service: string): DiscoveredTarget[] {
    return this.current.get(service) ?? [];
  }

  private update(service: ServiceConfig, mechanism: string, groups: TargetGroup[]): void {
    let byMechanism = this.groups.get(service.name);
    if (!byMechanism) this.groups.set(service.name, (byMechanism = new Map()));
    byMechanism.set(mechanism, groups);
    const targets = finalTargets([...byMechanism.values()].flat(), service.scraper, relabelWith(service.relabelConfigs));
    if (JSON.stringify(targets) === JSON.stringify(this.current.get(service.name))) return;
    this.changed(service.name, targets);
  }

  private changed(service: string, targets: DiscoveredTarget[]): void {
    this.current.set(service, targets);
    this.logger.log(`service "${service}": ${targets.length} target(s)`);
    for (const listener of this.listeners) listener(service, targets);
    this.recording = this.recording.then(() => this.record());
  }

  /** Records every service whose current targets differ from the last recorded ones. */
  private async record(): Promise<void> {
    const pending = [...this.current].filter(
      ([service, targets]) => this.ownership.ownsService(service) && this.recorded.get(service) !== JSON.stringify(targets),
    );
    if (pending.length === 0) return;
    const at = this.clock.now();
    try {
      await this.events.publish(
        pending.map(([service, targets]) => ({ id: randomUUID(), event: { type: 'TargetsDiscovered', version: 1, service, at, data: { targets } } })),
      );
      for (const [service, targets] of pending) this.recorded.set(service, JSON.stringify(targets));
    } catch (error) {
      this.logger.error(`could not record the targets of ${pending.length} service(s), trying again in ${REPUBLISH_AFTER_MS} ms: ${(error as Error).message}`);
      this.retry ??= setTimeout(() => {
        this.retry = null;
        this.recording = this.recording.then(() => this.record());
      }, REPUBLISH_AFTER_MS);
    }
  }
}
