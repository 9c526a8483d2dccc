import type { DiscoveryMechanism, TargetGroup } from './target-group.js';

/**
 * A mechanism that looks its targets up every refresh interval (DNS, HTTP SD). The first
 * lookup runs in the background, so a slow source never holds up the start; lookups run one
 * at a time, so an older answer never lands after a newer one.
 */
export abstract class PollingDiscovery implements DiscoveryMechanism {
  abstract readonly name: string;
  protected report: (groups: TargetGroup[]) => void = () => {};
  protected failed: () => void = () => {};
  protected stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly refreshIntervalMs: number) {}

  start(report: (groups: TargetGroup[]) => void, failed: () => void = () => {}): void {
    this.report = report;
    this.failed = failed;
    this.cycle();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.cancelLookups();
    await this.running;
    await this.queue;
  }

  /** One lookup now; reports the groups when they changed. Never throws. */
  refresh(): Promise<void> {
    this.queue = this.queue.then(() => this.refreshOnce());
    return this.queue;
  }

  protected abstract refreshOnce(): Promise<void>;

  /** Ends lookups in flight at stop. */
  protected abstract cancelLookups(): void;

  private cycle(): void {
    this.running = this.refresh().finally(() => {
      this.running = null;
      if (!this.stopped) this.timer = setTimeout(() => this.cycle(), this.refreshIntervalMs);
    });
  }
}
