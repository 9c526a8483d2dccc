import { Injectable, signal } from '@angular/core';
import { Subject } from 'rxjs';

/** How long an error resolved here stays hidden while the server has not caught up. */
export const RESOLVE_GRACE_MS = 30_000;

const id = (service: string, key: string) => `${service}\u0000${key}`;

/**
 * Errors resolved from this UI. The server records a resolve as an event and its read model
 * follows shortly after, so for a moment a reload may still list the error: it stays hidden
 * here until the server agrees or the grace period ends.
 */
@Injectable({ providedIn: 'root' })
export class ResolvedKeys {
  private readonly pending = signal(new Map<string, number>());
  readonly resolved$ = new Subject<{ service: string; key: string }>();
  /** The last resolve, for the "Resolved …" notice. */
  readonly last = signal<{ service: string; key: string; at: number } | null>(null);

  add(service: string, key: string): void {
    const at = Date.now();
    this.pending.update((m) => new Map(m).set(id(service, key), at));
    this.last.set({ service, key, at });
    this.resolved$.next({ service, key });
  }

  /** True while `key` was resolved here and the grace period runs. */
  isHidden(service: string, key: string, now: number): boolean {
    const at = this.pending().get(id(service, key));
    return at !== undefined && now - at < RESOLVE_GRACE_MS;
  }

  /** The server's answer no longer lists it as open: nothing to hide anymore. */
  confirm(service: string, key: string): void {
    if (!this.pending().has(id(service, key))) return;
    this.pending.update((m) => {
      const next = new Map(m);
      next.delete(id(service, key));
      return next;
    });
  }

  /** Keys of `service` resolved here and still hidden. */
  pendingFor(service: string): string[] {
    const prefix = `${service}\u0000`;
    return [...this.pending().keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }

  dismissNotice(): void {
    this.last.set(null);
  }
}
