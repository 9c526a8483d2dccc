import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCollector } from '@periskop/client';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { CLOCK, type Clock } from '../clock/clock.js';
import { OWNERSHIP, type Ownership } from '../cluster/ownership.js';
import { PERISKOP_CONFIG, type PeriskopConfig, type ServiceConfig } from '../config/config.types.js';
import { TargetDirectory } from '../discovery/target-directory.js';
import type { DiscoveredTarget, PeriskopEvent } from '../events/events.js';
import { EventStore } from '../events/event-store.js';
import { GroupCommit } from '../events/group-commit.js';
import { PeriskopMetrics } from '../metrics/periskop-metrics.js';
import { redactionRulesOf, redactPayload } from '../security/index.js';
import { ConcurrencyLimit } from '../concurrency/concurrency-limit.js';
import { BodyBuffers } from './body-buffers.js';
import { fetchTarget } from './fetch-target.js';
import { SharedTexts } from '../memory/shared-texts.js';
import { changedSince, type PublishedTarget } from './snapshot-delta.js';
import type { AggregatedErrorPayload } from './payload.types.js';
import { TargetHealth } from './target-health.js';

/** Scrapes at once, most of them waiting on their targets: slow targets must not hold up the rest. */
const MAX_CONCURRENT_SCRAPES = 64;
/**
 * Bodies read and parsed at once (FetchLimits.bodyReads): the bodies in memory, whatever the
 * number of targets. Reading a body on a local network takes milliseconds and parsing is
 * synchronous on one thread, so a few slots keep up; more would only hold more bodies at once.
 */
const MAX_CONCURRENT_BODY_READS = 8;
/**
 * Scrapes' events are written in groups (one disk sync each, not one per target); an event
 * waits this long at most for others, far below any refresh interval.
 */
const PUBLISH_GROUP_LINGER_MS = 20;
const PUBLISH_GROUP_MAX_EVENTS = 256;

/** What this process last recorded for a target, and the body it came from. */
interface RecordedTarget {
  published: PublishedTarget;
  /** FetchOutcome digest of that body: the same bytes again have nothing new. */
  digest: string;
  errorCount: number;
}

interface TargetLoop {
  service: string;
  url: string;
  timer: NodeJS.Timeout | null;
  running: Promise<void> | null;
}

/**
 * Scrapes every target on its own loop, every refresh_interval of its service (as Prometheus
 * does), so a slow or broken target never delays the others. Records what changed:
 * SnapshotScraped for new occurrences, ScrapeFailed when a target's failure starts or its
 * reason changes.
 */
@Injectable()
export class Scraper {
  private readonly logger = new Logger('Scraper');
  private readonly limit = new ConcurrencyLimit(MAX_CONCURRENT_SCRAPES);
  private readonly bodyReads = new ConcurrencyLimit(MAX_CONCURRENT_BODY_READS);
  private readonly bodyBuffers = new BodyBuffers(MAX_CONCURRENT_BODY_READS);
  private readonly recorded = new Map<string, RecordedTarget>();
  /** The keys and severities every target repeats, held once (PublishedTarget). */
  private readonly texts = new SharedTexts();
  private readonly loops = new Map<string, TargetLoop>();
  private readonly publisher: GroupCommit;
  private stopped = true;
  private cancel = scrapesCancel();

  constructor(
    @Inject(PERISKOP_CONFIG) private readonly config: PeriskopConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly directory: TargetDirectory,
    private readonly events: EventStore,
    private readonly health: TargetHealth,
    private readonly metrics: PeriskopMetrics,
    private readonly collector: ErrorCollector,
    @Inject(OWNERSHIP) private readonly ownership: Ownership,
  ) {
    this.publisher = new GroupCommit((items) => this.events.publishEncoded(items), {
      lingerMs: PUBLISH_GROUP_LINGER_MS,
      maxEvents: PUBLISH_GROUP_MAX_EVENTS,
    });
  }

  start(): void {
    this.stopped = false;
    this.cancel = scrapesCancel();
    for (const service of this.config.services) this.reconcile(service.name, this.directory.targetsOf(service.name));
    this.directory.onChange((service, targets) => {
      if (!this.stopped) this.reconcile(service, targets);
    });
    // In a cluster a service is scraped only by the replica holding its lease. The snapshot
    // delta state is per process: a replica taking a service over starts with full snapshots,
    // and the projector's per-target totals keep the counts exact.
    this.ownership.onServiceChange(async (service, owned) => {
      if (this.stopped) return;
      // Scrapes already running finish before the lease goes: nothing is published after a handover.
      const inFlight = [...this.loops.values()].filter((loop) => loop.service === service && loop.running).map((loop) => loop.running);
      this.reconcile(service, this.directory.targetsOf(service));
      if (!owned) await Promise.allSettled(inFlight);
    });
  }

  /** Starts loops for new targets and ends those of targets discovery dropped. */
  private reconcile(serviceName: string, targets: DiscoveredTarget[]): void {
    const service = this.config.services.find((s) => s.name === serviceName);
    if (!service) return;
    const owned = this.ownership.ownsService(service.name) ? targets : [];
    const wanted = new Map(owned.map((t) => [targetId(service.name, t.url), t]));
    for (const [id, loop] of this.loops) {
      if (loop.service !== service.name || wanted.has(id)) continue;
      if (loop.timer) clearTimeout(loop.timer);
      this.loops.delete(id);
      this.health.forget(service.name, loop.url);
      this.recorded.delete(id);
      // A target no longer scraped here (dropped by discovery, or its service handed to another
      // replica) has no up series here any more, as Prometheus drops a gone target's.
      this.metrics.targetUp.remove({ service_name: service.name, target: loop.url });
    }
    for (const [id, target] of wanted) if (!this.loops.has(id)) this.startLoop(service, target);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel.abort();
    const running: Promise<void>[] = [];
    for (const loop of this.loops.values()) {
      if (loop.timer) clearTimeout(loop.timer);
      if (loop.running) running.push(loop.running);
    }
    this.loops.clear();
    await Promise.allSettled(running);
  }

  private startLoop(service: ServiceConfig, target: DiscoveredTarget): void {
    const id = targetId(service.name, target.url);
    const loop: TargetLoop = { service: service.name, url: target.url, timer: null, running: null };
    this.loops.set(id, loop);
    const tick = () => {
      loop.timer = null;
      const started = this.clock.now();
      loop.running = this.scrapeTarget(service, target)
        .catch((error: unknown) => this.logger.error(`scrape of ${target.url} failed unexpectedly: ${(error as Error).stack}`))
        .finally(() => {
          loop.running = null;
          if (this.stopped || this.loops.get(id) !== loop) return;
          const wait = Math.max(0, service.scraper.refreshIntervalMs - (this.clock.now() - started));
          loop.timer = setTimeout(tick, wait);
        });
    };
    loop.timer = setTimeout(tick, 0);
  }

  private async scrapeTarget(service: ServiceConfig, target: DiscoveredTarget): Promise<void> {
    const at = this.clock.now();
    const started = performance.now();
    const recordedKey = targetId(service.name, target.url);
    const last = this.recorded.get(recordedKey);
    const recorded = last?.published.recorded();
    const outcome = await this.limit.run(() =>
      fetchTarget(
        target.url,
        {
          timeoutMs: service.scraper.timeoutMs,
          bodyLimitBytes: service.scraper.bodyLimitBytes,
          cancel: this.cancel.signal,
          bodyReads: this.bodyReads,
          bodyBuffers: this.bodyBuffers,
        },
        {
          digest: last?.digest,
          fallbackTargetUuid: target.url,
          recorded,
        },
      ),
    );
    if (this.cancel.signal.aborted) return;
    const durationMs = performance.now() - started;
    const change = this.health.record(service.name, target.url, outcome, at, durationMs);
    const labels = { service_name: service.name };
    this.metrics.scrapeDuration.observe(labels, durationMs / 1000);
    // A scrape that ends after its target was dropped publishes what it found, but sets no up series.
    if (this.loops.has(recordedKey)) this.metrics.targetUp.set({ ...labels, target: target.url }, outcome.ok ? 1 : 0);
    this.metrics.instancesScrapped.set(labels, this.health.upCount(service.name));

    if (!outcome.ok) {
      this.metrics.scrapeFailures.inc({ ...labels, reason: outcome.reason });
      if (!change.failureChanged) return;
      this.logger.warn(`service "${service.name}" target ${target.url}: ${outcome.reason}: ${outcome.detail}`);
      await this.record(service, target, {
        type: 'ScrapeFailed',
        version: 1,
        service: service.name,
        at,
        data: { target: target.url, reason: outcome.reason, detail: outcome.detail },
      });
      return;
    }

    this.metrics.snapshotBytes.observe(labels, outcome.bytes);
    if (outcome.payload === null) {
      // The very body whose changes are recorded (`last`): nothing new, unless the target is back up.
      this.metrics.errorsScrapped.inc(labels, last?.errorCount ?? 0);
      if (change.becameUp) await this.recordSnapshot(service, target, at, last?.published.targetUuid ?? target.url, []);
      return;
    }
    this.metrics.errorsScrapped.inc(labels, outcome.payload.aggregated_errors.length);
    const targetUuid = outcome.payload.target_uuid ?? target.url;
    // Secrets are removed before the payload is compared or recorded: they never reach the log.
    const payload = redactPayload(outcome.payload, redactionRulesOf(this.config, service.name));
    const { changed, next } = changedSince(recorded?.body(), targetUuid, payload, this.texts, outcome.segments, outcome.unparsedSeen);
    if (changed.length > 0 || change.becameUp) {
      // Unrecorded changes stay unrecorded here: the next scrape sends them again.
      if (!(await this.recordSnapshot(service, target, at, targetUuid, changed))) return;
    }
    this.recorded.set(recordedKey, { published: next, digest: outcome.digest, errorCount: payload.aggregated_errors.length });
  }

  private recordSnapshot(
    service: ServiceConfig,
    target: DiscoveredTarget,
    at: number,
    targetUuid: string,
    changed: AggregatedErrorPayload[],
  ): Promise<boolean> {
    return this.record(service, target, {
      type: 'SnapshotScraped',
      version: 1,
      service: service.name,
      at,
      data: { target: target.url, target_uuid: targetUuid, source: 'scrape', aggregated_errors: changed },
    });
  }

  private async record(service: ServiceConfig, target: DiscoveredTarget, event: PeriskopEvent): Promise<boolean> {
    try {
      // Encoded now: the queue holds bytes, and the snapshot's objects die young (EncodedEvent).
      await this.publisher.publish(this.events.encode({ id: randomUUID(), event }));
      return true;
    } catch (error) {
      this.metrics.applicationErrors.inc({ type: 'publish' });
      this.collector.report(error, { key: 'event-log-publish-failed' });
      this.logger.error(`service "${service.name}" target ${target.url}: could not record ${event.type}: ${(error as Error).message}`);
      this.health.forget(service.name, target.url);
      return false;
    }
  }
}

/** A target's key in the scraper's loops and records. */
function targetId(service: string, url: string): string {
  return JSON.stringify([service, url]);
}

/**
 * Cancels every scrape running when the scraper stops. Each running scrape listens to it, up to
 * MAX_CONCURRENT_SCRAPES at once: past Node's default of 10 listeners it would warn of a leak
 * that is none (MaxListenersExceededWarning in the log of every busy scraper).
 */
function scrapesCancel(): AbortController {
  const controller = new AbortController();
  setMaxListeners(MAX_CONCURRENT_SCRAPES, controller.signal);
  return controller;
}
