import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CLOCK, type Clock } from '../clock/clock.js';
import { PERISKOP_CONFIG, type PeriskopConfig, type ServiceConfig } from '../config/config.types.js';
import { TargetDirectory } from '../discovery/target-directory.js';
import type { DiscoveredTarget, PeriskopEvent } from '../events/events.js';
import { EventStore } from '../events/event-store.js';
import { PeriskopMetrics } from '../metrics/periskop-metrics.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { fetchTarget, type FetchOutcome } from './fetch-target.js';
import { changedSince, type PublishedTarget } from './snapshot-delta.js';
import { TargetHealth } from './target-health.js';

const MAX_CONCURRENT_SCRAPES = 64;

/**
 * Scrapes every service's targets each refresh_interval and records what changed:
 * SnapshotScraped for new occurrences, ScrapeFailed when a target's failure starts or changes.
 */
@Injectable()
export class Scraper {
  private readonly logger = new Logger('Scraper');
  private readonly limit = new ConcurrencyLimit(MAX_CONCURRENT_SCRAPES);
  private readonly published = new Map<string, PublishedTarget>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly cycles = new Set<Promise<void>>();
  /** The cycle in flight per service: cycles of one service never overlap. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private stopped = true;

  constructor(
    @Inject(PERISKOP_CONFIG) private readonly config: PeriskopConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly directory: TargetDirectory,
    private readonly events: EventStore,
    private readonly health: TargetHealth,
    private readonly metrics: PeriskopMetrics,
  ) {}

  start(): void {
    this.stopped = false;
    for (const service of this.config.services) this.schedule(service, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.cycles]);
  }

  private schedule(service: ServiceConfig, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const started = this.clock.now();
      const cycle = this.scrapeNow(service.name).finally(() => {
        this.cycles.delete(cycle);
        if (!this.stopped) this.schedule(service, Math.max(0, service.scraper.refreshIntervalMs - (this.clock.now() - started)));
      });
      this.cycles.add(cycle);
    }, delayMs);
    this.timers.add(timer);
  }

  /** Runs one cycle of the service now, after the one in flight (if any). */
  async scrapeNow(serviceName: string): Promise<void> {
    const service = this.config.services.find((s) => s.name === serviceName);
    if (!service) throw new Error(`no service named "${serviceName}" in the configuration`);
    const previous = this.inFlight.get(serviceName) ?? Promise.resolve();
    const cycle = previous.then(() => this.scrapeService(service));
    this.inFlight.set(serviceName, cycle);
    try {
      await cycle;
    } finally {
      if (this.inFlight.get(serviceName) === cycle) this.inFlight.delete(serviceName);
    }
  }

  /** One cycle: every target concurrently, one publish for the whole service. */
  private async scrapeService(service: ServiceConfig): Promise<void> {
    const targets = this.directory.targetsOf(service.name);
    const results = await Promise.all(targets.map((t) => this.limit.run(() => this.scrapeTarget(service, t))));
    const events: { id: string; event: PeriskopEvent }[] = [];
    const commits: (() => void)[] = [];
    let scraped = 0;
    for (const { target, outcome, at, durationMs } of results) {
      const change = this.health.record(service.name, target.url, outcome, at, durationMs);
      this.metrics.scrapeDuration.observe({ service_name: service.name }, durationMs / 1000);
      this.metrics.targetUp.set({ service_name: service.name, target: target.url }, outcome.ok ? 1 : 0);
      if (!outcome.ok) {
        if (change.failureChanged) {
          this.logger.warn(`service "${service.name}" target ${target.url}: ${outcome.reason}: ${outcome.detail}`);
          events.push(this.event({ type: 'ScrapeFailed', version: 1, service: service.name, at, data: { target: target.url, reason: outcome.reason, detail: outcome.detail } }));
        }
        continue;
      }
      scraped++;
      this.metrics.errorsScrapped.inc({ service_name: service.name }, outcome.payload.aggregated_errors.length);
      const targetUuid = outcome.payload.target_uuid ?? target.url;
      const publishedKey = JSON.stringify([service.name, target.url]);
      const { changed, next } = changedSince(this.published.get(publishedKey), targetUuid, outcome.payload);
      commits.push(() => this.published.set(publishedKey, next));
      if (changed.length === 0 && !change.becameUp) continue;
      events.push(
        this.event({
          type: 'SnapshotScraped',
          version: 1,
          service: service.name,
          at,
          data: { target: target.url, target_uuid: targetUuid, source: 'scrape', aggregated_errors: changed },
        }),
      );
    }
    this.metrics.instancesScrapped.set({ service_name: service.name }, scraped);
    if (events.length > 0) {
      try {
        await this.events.publish(events);
      } catch (error) {
        // Nothing is marked as published: the next cycle sends these changes again.
        this.metrics.applicationErrors.inc({ type: 'publish' });
        this.logger.error(`service "${service.name}": could not record ${events.length} event(s): ${(error as Error).message}`);
        this.health.forgetFailures(service.name);
        return;
      }
    }
    for (const commit of commits) commit();
  }

  private async scrapeTarget(service: ServiceConfig, target: DiscoveredTarget) {
    const at = this.clock.now();
    const started = performance.now();
    const outcome: FetchOutcome = await fetchTarget(target.url, {
      timeoutMs: service.scraper.timeoutMs,
      bodyLimitBytes: service.scraper.bodyLimitBytes,
    });
    return { target, outcome, at, durationMs: performance.now() - started };
  }

  private event(event: PeriskopEvent): { id: string; event: PeriskopEvent } {
    return { id: randomUUID(), event };
  }
}
