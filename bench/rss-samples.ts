import { percentile } from './suite.js';

/**
 * A process's RSS read every `everyMs`, each sample under the phase it was taken in. Read at a
 * few instants only (after a scrape, after each cycle), the figure moved ±15 MB from run to
 * run at 1,000 instances: RSS swings that much within a second while a round is scraped and
 * projected, and the instant decided which part of the swing was seen.
 */
export class RssSamples {
  private readonly samples = new Map<string, number[]>();
  private phase: string;
  private readonly timer: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly read: () => number,
    firstPhase: string,
    everyMs = 100,
  ) {
    this.phase = firstPhase;
    this.timer = setInterval(() => this.take(), everyMs);
    this.take();
  }

  /** Samples from here on count under `phase` (one last sample closes the previous one). */
  enter(phase: string): void {
    this.take();
    this.phase = phase;
    this.take();
  }

  /** Takes a last sample and ends; once (calls after the first do nothing). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.take();
    clearInterval(this.timer);
  }

  max(phase?: string): number {
    return Math.max(...this.of(phase));
  }

  median(phase?: string): number {
    return percentile(this.of(phase), 50);
  }

  /** Samples taken in `phase` (every phase when absent). */
  private of(phase?: string): number[] {
    return phase === undefined ? [...this.samples.values()].flat() : (this.samples.get(phase) ?? []);
  }

  private take(): void {
    let rss: number;
    try {
      rss = this.read();
    } catch {
      return; // the process has exited: nothing to sample
    }
    if (!Number.isFinite(rss)) return;
    let list = this.samples.get(this.phase);
    if (!list) this.samples.set(this.phase, (list = []));
    list.push(rss);
  }
}
