import { ChangeDetectionStrategy, Component, DestroyRef, effect, inject, input, signal, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { type Subscription } from 'rxjs';
import type { ErrorDetail } from '../api/model';
import { PeriskopApi, describeHttpError, isNotFound } from '../api/periskop-api';
import { ErrorView } from '../components/error-view';
import { OccurrenceChart } from '../components/occurrence-chart';
import { BreakdownPanel } from '../components/breakdown-panel';
import { RefreshService } from '../core/refresh';
import { ResolvedKeys } from '../core/resolved-keys';

/** `/#/:service/errors/:key`: loads one error (deep links land here) and resolves it. */
@Component({
  selector: 'app-error-detail-page',
  imports: [ErrorView, OccurrenceChart, BreakdownPanel],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (error(); as message) {
      <div class="notice error" role="alert">
        {{ message }}
        <button type="button" class="btn small" (click)="load(false)">Retry</button>
      </div>
    }
    @if (notFound()) {
      <div class="empty" data-testid="error-not-found">
        <h2>Error not found</h2>
        <p>
          <code>{{ service() }}</code> has no error with the key <code>{{ key() }}</code>. The link may be cut or mis-encoded, or the
          error has not been scraped yet.
        </p>
      </div>
    } @else if (detail(); as d) {
      <app-error-view [error]="d" [now]="refresh.now()" [resolving]="resolving()" (resolve)="resolve()">
        <app-occurrence-chart [service]="service()" [errorKey]="key()" />
        <app-breakdown-panel [service]="service()" [errorKey]="key()" />
      </app-error-view>
    } @else if (!error()) {
      <p class="loading">Loading error…</p>
    }
  `,
})
export class ErrorDetailPage {
  readonly service = input.required<string>();
  readonly key = input.required<string>();

  private readonly api = inject(PeriskopApi);
  protected readonly refresh = inject(RefreshService);
  private readonly resolvedKeys = inject(ResolvedKeys);

  protected readonly detail = signal<ErrorDetail | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly notFound = signal(false);
  protected readonly resolving = signal(false);
  private request: Subscription | null = null;

  constructor() {
    effect(() => {
      this.service();
      this.key();
      untracked(() => this.load(true));
    });
    this.refresh.ticks$.pipe(takeUntilDestroyed()).subscribe(() => this.load(false));
    inject(DestroyRef).onDestroy(() => this.request?.unsubscribe());
  }

  load(fresh: boolean): void {
    const service = this.service();
    const key = this.key();
    this.request?.unsubscribe();
    if (fresh) {
      this.detail.set(null);
      this.notFound.set(false);
      this.error.set(null);
    }
    this.request = this.api.error(service, key).subscribe({
      next: (detail) => {
        const previous = this.detail();
        // Resolved here a moment ago and the server has not applied it yet: keep showing it resolved.
        if (detail.resolved_at === null && previous?.resolved_at && this.resolvedKeys.isHidden(service, key, Date.now())) {
          detail = { ...detail, resolved_at: previous.resolved_at, reopened_at: null };
        }
        this.detail.set(detail);
        this.notFound.set(false);
        this.error.set(null);
        this.refresh.markUpdated();
      },
      error: (error: unknown) => {
        if (isNotFound(error)) {
          this.notFound.set(true);
          this.detail.set(null);
        } else {
          this.error.set(describeHttpError(error, 'this error'));
          this.refresh.markFailed();
        }
      },
    });
  }

  resolve(): void {
    const service = this.service();
    const key = this.key();
    this.resolving.set(true);
    this.error.set(null);
    this.api.resolve(service, key).subscribe({
      next: () => {
        this.resolving.set(false);
        const d = this.detail();
        if (d && d.aggregation_key === key) this.detail.set({ ...d, resolved_at: Math.floor(Date.now() / 1000), reopened_at: null });
        this.resolvedKeys.add(service, key);
      },
      error: (error: unknown) => {
        this.resolving.set(false);
        this.error.set(describeHttpError(error, 'the resolve').replace('Loading the resolve failed', 'Resolving failed'));
      },
    });
  }
}
