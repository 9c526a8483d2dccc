import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { Router, RouterLink } from '@angular/router';
import type { Subscription } from 'rxjs';
import type { TargetHealth, TargetsByService } from '../api/model';
import { PeriskopApi, describeHttpError } from '../api/periskop-api';
import { serviceUrl } from '../core/links';
import { RefreshService } from '../core/refresh';
import { absoluteTime, relativeTime } from '../util/time';

/** Per service, its instances: up or down, last scrape, duration, why it failed, labels. */
@Component({
  selector: 'app-targets-page',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="targets-page">
      <div class="page-head">
        <h1>Targets</h1>
        @if (summary(); as s) {
          <p class="muted" data-testid="targets-summary">{{ s.up }} up · {{ s.down }} down · {{ s.unknown }} not scraped yet</p>
        }
      </div>
      @if (error(); as message) {
        <div class="notice error" role="alert">
          {{ message }}
          <button type="button" class="btn small" (click)="load()">Retry</button>
        </div>
      }
      @if (services(); as list) {
        @if (list.length === 0) {
          <div class="empty" data-testid="empty">
            <h2>No targets</h2>
            <p>No service has instances to scrape. Check your config's <code>services</code> and their <code>static_configs</code> (or other discovery).</p>
          </div>
        }
        @for (entry of list; track entry[0]) {
          <section class="card target-service" data-testid="target-service">
            <h2><a [routerLink]="link(entry[0])">{{ entry[0] }}</a> <span class="muted small">{{ entry[1].length }} {{ entry[1].length === 1 ? 'instance' : 'instances' }}</span></h2>
            @if (entry[1].length === 0) {
              <p class="muted">No instances discovered.</p>
            } @else {
              <div class="table-wrap">
                <table class="targets">
                  <thead>
                    <tr>
                      <th>Endpoint</th>
                      <th>Status</th>
                      <th>Last scrape</th>
                      <th>Duration</th>
                      <th>Failure</th>
                      <th>Labels</th>
                    </tr>
                  </thead>
                  <tbody>
                    @for (t of entry[1]; track t.endpoint) {
                      <tr data-testid="target">
                        <td class="mono">{{ t.endpoint }}</td>
                        <td>
                          <span class="status" [class]="'status-' + t.status" [title]="t.status_at ? 'since ' + abs(t.status_at) : ''">{{ t.status }}</span>
                        </td>
                        <td [title]="abs(t.last_scrape_at)">{{ t.last_scrape_at === null ? '—' : rel(t.last_scrape_at) }}</td>
                        <td>{{ t.last_duration_ms === null ? '—' : t.last_duration_ms + ' ms' }}</td>
                        <td>
                          @if (t.last_error; as failure) {
                            <span class="failure"><strong>{{ failure.reason }}</strong>@if (failure.detail) {: {{ failure.detail }}}</span>
                          } @else {
                            <span class="muted">—</span>
                          }
                        </td>
                        <td>
                          @for (label of labels(t); track label[0]) {
                            <span class="chip">{{ label[0] }}={{ label[1] }}</span>
                          }
                        </td>
                      </tr>
                    }
                  </tbody>
                </table>
              </div>
            }
          </section>
        }
      } @else if (!error()) {
        <p class="loading">Loading targets…</p>
      }
    </section>
  `,
})
export class TargetsPage {
  private readonly api = inject(PeriskopApi);
  private readonly router = inject(Router);
  protected readonly refresh = inject(RefreshService);
  protected readonly targets = signal<TargetsByService | null>(null);
  protected readonly error = signal<string | null>(null);
  private request: Subscription | null = null;

  protected readonly services = computed(() => {
    const targets = this.targets();
    return targets ? Object.entries(targets).sort(([a], [b]) => a.localeCompare(b)) : null;
  });

  protected readonly summary = computed(() => {
    const targets = this.targets();
    if (!targets) return null;
    const all = Object.values(targets).flat();
    return {
      up: all.filter((t) => t.status === 'up').length,
      down: all.filter((t) => t.status === 'down').length,
      unknown: all.filter((t) => t.status !== 'up' && t.status !== 'down').length,
    };
  });

  constructor() {
    this.load();
    this.refresh.ticks$.pipe(takeUntilDestroyed()).subscribe(() => this.load());
    inject(DestroyRef).onDestroy(() => this.request?.unsubscribe());
  }

  load(): void {
    this.request?.unsubscribe();
    this.request = this.api.targets().subscribe({
      next: (targets) => {
        this.targets.set(targets);
        this.error.set(null);
        this.refresh.markUpdated();
      },
      error: (error: unknown) => {
        this.error.set(describeHttpError(error, 'the targets'));
        this.refresh.markFailed();
      },
    });
  }

  protected link(service: string) {
    return serviceUrl(this.router, service);
  }

  protected labels(t: TargetHealth): [string, string][] {
    return Object.entries(t.labels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  }

  protected rel(seconds: number | null): string {
    return relativeTime(seconds, this.refresh.now());
  }

  protected abs(seconds: number | null): string {
    return absoluteTime(seconds);
  }
}
