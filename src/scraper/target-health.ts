import { Injectable } from '@nestjs/common';
import type { ScrapeFailureReason } from '../events/events.js';
import type { FetchOutcome } from './fetch-target.js';

// Live scrape health is state, not history: it stays in memory, and only its changes
// become events.

export interface TargetHealthState {
  service: string;
  url: string;
  lastScrapeAt: number;
  lastDurationMs: number;
  up: boolean;
  failure: { reason: ScrapeFailureReason; detail: string } | null;
}

@Injectable()
export class TargetHealth {
  private readonly byTarget = new Map<string, TargetHealthState>();

  record(
    service: string,
    url: string,
    outcome: FetchOutcome,
    at: number,
    durationMs: number,
  ): { failureChanged: boolean; becameUp: boolean } {
    const id = JSON.stringify([service, url]);
    const previous = this.byTarget.get(id);
    const failure = outcome.ok ? null : { reason: outcome.reason, detail: outcome.detail };
    this.byTarget.set(id, { service, url, lastScrapeAt: at, lastDurationMs: durationMs, up: outcome.ok, failure });
    return {
      failureChanged: failure !== null && previous?.failure?.reason !== failure.reason,
      becameUp: outcome.ok && previous?.up !== true,
    };
  }

  /** The next scrape of the target counts as its first (the event of this one was lost). */
  forget(service: string, url: string): void {
    this.byTarget.delete(JSON.stringify([service, url]));
  }

  upCount(service: string): number {
    let up = 0;
    for (const state of this.byTarget.values()) if (state.service === service && state.up) up++;
    return up;
  }

  of(service: string, url: string): TargetHealthState | undefined {
    return this.byTarget.get(JSON.stringify([service, url]));
  }
}
