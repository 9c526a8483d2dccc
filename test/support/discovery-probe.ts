import { ConsoleLogger, Logger } from '@nestjs/common';
import type { DiscoveryMechanism, TargetGroup } from '../../src/discovery/target-group.js';
import { waitFor } from './wait-for.js';

/**
 * Runs one discovery mechanism the way TargetDirectory does and keeps what it reports, so a
 * test can wait for a given report instead of sleeping.
 */
export class DiscoveryProbe {
  readonly reports: TargetGroup[][] = [];
  /** Failed lookups the mechanism counted (what periskop_discovery_failures_total shows). */
  failures = 0;

  constructor(readonly mechanism: DiscoveryMechanism) {}

  async start(): Promise<this> {
    await this.mechanism.start(
      (groups) => this.reports.push(groups),
      () => this.failures++,
    );
    return this;
  }

  get latest(): TargetGroup[] | undefined {
    return this.reports.at(-1);
  }

  /** The targets of the latest report, as `target labels-as-JSON`, sorted. */
  get targets(): string[] {
    return (this.latest ?? []).flatMap((g) => g.targets.map((t) => `${t} ${JSON.stringify(g.labels)}`)).sort();
  }

  /** Waits until the latest report satisfies `check`. */
  async until(check: (groups: TargetGroup[]) => boolean, description: string, timeoutMs = 10_000): Promise<TargetGroup[]> {
    return waitFor(() => (this.latest && check(this.latest) ? this.latest : undefined), timeoutMs, description);
  }

  /** Waits until the latest report has exactly these addresses (any order). */
  async untilAddresses(addresses: string[], timeoutMs = 10_000): Promise<TargetGroup[]> {
    const wanted = JSON.stringify([...addresses].sort());
    return this.until((groups) => JSON.stringify(groups.flatMap((g) => g.targets).sort()) === wanted, `targets ${wanted}`, timeoutMs);
  }

  stop(): Promise<void> {
    return this.mechanism.stop();
  }
}

/** Collects what Nest loggers write (any context) while a test runs, instead of printing it. */
export class LogCapture {
  readonly lines: string[] = [];

  constructor() {
    Logger.overrideLogger({
      log: (m: unknown) => this.lines.push(`LOG ${String(m)}`),
      error: (m: unknown) => this.lines.push(`ERROR ${String(m)}`),
      warn: (m: unknown) => this.lines.push(`WARN ${String(m)}`),
      debug: () => {},
      verbose: () => {},
      fatal: (m: unknown) => this.lines.push(`FATAL ${String(m)}`),
    });
  }

  matching(pattern: RegExp): string[] {
    return this.lines.filter((line) => pattern.test(line));
  }

  restore(): void {
    Logger.overrideLogger(new ConsoleLogger());
  }
}
