import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { Subscription } from 'rxjs';
import { type BreakdownLabel, breakdownLabels } from '../api/model';
import { PeriskopApi, describeHttpError } from '../api/periskop-api';
import { RefreshService } from '../core/refresh';
import { absoluteTime, relativeTime } from '../util/time';

/**
 * One error's occurrences per value of its service's breakdown_labels (e.g. version, zone):
 * "first seen in 1.5.0", then each value's share and when it was first seen. Shows nothing for
 * a service without breakdown_labels. Reloads with the page's auto-refresh.
 */
@Component({
  selector: 'app-breakdown-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (failure(); as message) {
      <p class="chart-note failure" data-testid="breakdown-error">{{ message }}</p>
    } @else if (labels().length) {
      <section class="breakdown" data-testid="breakdown">
        <h4>Breakdown by target label</h4>
        @for (l of labels(); track l.label) {
          <div class="breakdown-label" [attr.data-label]="l.label">
            <div class="breakdown-head">
              <span class="mono">{{ l.label }}</span>
              @if (l.earliest; as e) {
                <span class="muted" data-testid="breakdown-first" [title]="abs(e.firstSeen)">first seen in {{ e.value }}</span>
              } @else {
                <span class="muted">no occurrence from a target with this label</span>
              }
            </div>
            <ul class="breakdown-values">
              @for (v of l.values; track v.value) {
                <li data-testid="breakdown-value">
                  <span class="mono value">{{ v.value }}</span>
                  <span class="share" aria-hidden="true"><span class="share-bar" [style.width.%]="share(l, v.count)"></span></span>
                  <span class="count">{{ v.count }}</span>
                  <span class="muted when" [title]="abs(v.firstSeen)">since {{ rel(v.firstSeen) }}</span>
                </li>
              }
            </ul>
          </div>
        }
      </section>
    }
  `,
})
export class BreakdownPanel {
  readonly service = input.required<string>();
  readonly errorKey = input.required<string>();

  private readonly api = inject(PeriskopApi);
  private readonly refresh = inject(RefreshService);
  protected readonly labels = signal<BreakdownLabel[]>([]);
  protected readonly failure = signal<string | null>(null);
  private readonly now = computed(() => this.refresh.now());
  private request: Subscription | null = null;

  constructor() {
    effect(() => {
      this.service();
      this.errorKey();
      untracked(() => {
        this.labels.set([]);
        this.load();
      });
    });
    this.refresh.ticks$.pipe(takeUntilDestroyed()).subscribe(() => this.load());
    inject(DestroyRef).onDestroy(() => this.request?.unsubscribe());
  }

  private load(): void {
    this.request?.unsubscribe();
    this.request = this.api.breakdown(this.service(), this.errorKey()).subscribe({
      next: (answer) => {
        this.labels.set(breakdownLabels(answer));
        this.failure.set(null);
      },
      error: (error: unknown) => this.failure.set(describeHttpError(error, 'the breakdown')),
    });
  }

  protected share(label: BreakdownLabel, count: number): number {
    const total = label.values.reduce((sum, v) => sum + v.count, 0);
    return total === 0 ? 0 : (count / total) * 100;
  }

  protected rel(seconds: number | null): string {
    return relativeTime(seconds, this.now());
  }

  protected abs(seconds: number | null): string {
    return absoluteTime(seconds);
  }
}
