import { DOCUMENT, DestroyRef, Injectable, inject, signal } from '@angular/core';
import { Subject } from 'rxjs';

/** How often the open page reloads what it shows. */
export const REFRESH_INTERVAL_MS = 10_000;

/**
 * The UI's clock and auto-refresh: `now` ticks every second (relative times, "updated 4s
 * ago"); `ticks$` asks the open page to reload, every REFRESH_INTERVAL_MS unless paused or the
 * tab is hidden (and at once when a stale tab becomes visible again).
 */
@Injectable({ providedIn: 'root' })
export class RefreshService {
  private readonly document = inject(DOCUMENT);
  readonly now = signal(Date.now());
  readonly paused = signal(false);
  readonly lastUpdated = signal<number | null>(null);
  /** The last refresh failed; the header says so until one succeeds. */
  readonly failing = signal(false);
  readonly ticks$ = new Subject<void>();
  private lastTick = Date.now();

  constructor() {
    const clock = setInterval(() => {
      const now = Date.now();
      this.now.set(now);
      if (!this.paused() && this.visible() && now - this.lastTick >= REFRESH_INTERVAL_MS) this.tick();
    }, 1000);
    const onVisible = () => {
      if (this.visible() && !this.paused() && Date.now() - this.lastTick >= REFRESH_INTERVAL_MS) this.tick();
    };
    this.document.addEventListener('visibilitychange', onVisible);
    inject(DestroyRef).onDestroy(() => {
      clearInterval(clock);
      this.document.removeEventListener('visibilitychange', onVisible);
    });
  }

  togglePause(): void {
    this.paused.update((p) => !p);
    if (!this.paused() && Date.now() - this.lastTick >= REFRESH_INTERVAL_MS) this.tick();
  }

  /** Reload now (the refresh button). */
  tick(): void {
    this.lastTick = Date.now();
    this.ticks$.next();
  }

  markUpdated(): void {
    this.lastUpdated.set(Date.now());
    this.failing.set(false);
  }

  markFailed(): void {
    this.failing.set(true);
  }

  private visible(): boolean {
    return this.document.visibilityState !== 'hidden';
  }
}
