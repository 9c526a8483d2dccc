import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { RefreshService } from './core/refresh';
import { ServicesStore } from './core/services-store';
import { serviceUrl } from './core/links';
import { ageShort } from './util/time';

/** The frame: header (home, service switcher, targets, refresh state) and the routed page. */
@Component({
  selector: 'app-root',
  imports: [RouterOutlet, RouterLink, RouterLinkActive],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <header class="topbar">
      <a class="brand" routerLink="/" title="All services">Periskop</a>
      <nav class="topnav">
        <a routerLink="/" routerLinkActive="active" [routerLinkActiveOptions]="{ exact: true }">Services</a>
        <a routerLink="/targets" routerLinkActive="active">Targets</a>
      </nav>
      @if (store.services(); as services) {
        @if (services.length) {
          <select class="switcher" aria-label="Go to service" (change)="goTo($any($event.target))">
            <option value="" selected>Go to service…</option>
            @for (s of services; track s) {
              <option [value]="s">{{ s }}</option>
            }
          </select>
        }
      }
      <div class="refresh" [class.failing]="refresh.failing()">
        <span class="updated" data-testid="updated">
          @if (refresh.failing()) {
            update failed, retrying ·
          }
          updated {{ updatedAgo() }}
        </span>
        <button type="button" class="btn small" (click)="refresh.tick()" title="Reload now">Refresh</button>
        <button
          type="button"
          class="btn small"
          data-testid="pause"
          (click)="refresh.togglePause()"
          [attr.aria-pressed]="refresh.paused()"
          [title]="refresh.paused() ? 'Resume auto-refresh' : 'Pause auto-refresh (every 10 s)'"
        >
          {{ refresh.paused() ? 'Resume' : 'Pause' }}
        </button>
      </div>
    </header>
    <main class="page">
      <router-outlet />
    </main>
  `,
})
export class App {
  protected readonly refresh = inject(RefreshService);
  protected readonly store = inject(ServicesStore);
  private readonly router = inject(Router);
  protected readonly updatedAgo = computed(() => {
    const last = this.refresh.lastUpdated();
    return last === null ? '—' : ageShort(last, this.refresh.now());
  });

  constructor() {
    this.store.load();
    this.refresh.ticks$.pipe(takeUntilDestroyed(inject(DestroyRef))).subscribe(() => this.store.load());
  }

  protected goTo(select: HTMLSelectElement): void {
    const service = select.value;
    select.value = '';
    if (service) void this.router.navigateByUrl(serviceUrl(this.router, service));
  }
}
