import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { Subscription } from 'rxjs';
import { PeriskopApi, describeHttpError } from '../api/periskop-api';
import { RefreshService } from '../core/refresh';
import { type Bucket, type ChartStep, CHART_SPANS, bucketTime, chartRange, fillBuckets } from '../util/buckets';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * One error's occurrences over time: a bar per minute over the last 6 hours, or per hour over
 * the last 7 days (the default). Drawn as inline SVG; hovering a bar (or its title) tells the
 * bucket's time and count, and the chart's label sums it up for screen readers. Reloads with
 * the page's auto-refresh.
 */
@Component({
  selector: 'app-occurrence-chart',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="chart" data-testid="occurrence-chart" [attr.data-step]="step()">
      <div class="chart-head">
        <h4>Occurrences over time</h4>
        <span class="chart-readout" data-testid="chart-readout">{{ readout() }}</span>
        <div class="segmented small" role="group" aria-label="Time range of the chart">
          <button type="button" data-testid="chart-6h" [class.active]="step() === '1m'" [attr.aria-pressed]="step() === '1m'" (click)="step.set('1m')">
            6 hours
          </button>
          <button type="button" data-testid="chart-7d" [class.active]="step() === '1h'" [attr.aria-pressed]="step() === '1h'" (click)="step.set('1h')">
            7 days
          </button>
        </div>
      </div>
      @if (failure(); as message) {
        <p class="chart-note failure" data-testid="chart-error">{{ message }}</p>
      } @else if (buckets(); as list) {
        @if (sum() === 0) {
          <p class="chart-note" data-testid="chart-empty">No occurrences in {{ span().label }}.</p>
        } @else {
          <svg
            class="chart-svg"
            role="img"
            data-testid="chart-svg"
            [attr.aria-label]="summary()"
            [attr.viewBox]="'0 0 ' + list.length + ' 100'"
            preserveAspectRatio="none"
            (mousemove)="hover($event, list.length)"
            (mouseleave)="hovered.set(null)"
          >
            @for (b of list; track b.t; let i = $index) {
              <g>
                <title>{{ describe(b) }}</title>
                <rect class="hit" [attr.x]="i" y="0" width="1" height="100" />
                @if (b.count > 0) {
                  <rect
                    class="bar"
                    data-testid="chart-bar"
                    [class.hovered]="i === hovered()"
                    [attr.x]="i + 0.15"
                    [attr.y]="100 - barHeight(b.count)"
                    width="0.7"
                    [attr.height]="barHeight(b.count)"
                    [attr.data-t]="b.t"
                    [attr.data-count]="b.count"
                  />
                }
              </g>
            }
          </svg>
          <div class="chart-axis" aria-hidden="true">
            <span>{{ axisStart() }}</span>
            <span>now</span>
          </div>
        }
      } @else {
        <p class="chart-note">Loading occurrences over time…</p>
      }
    </section>
  `,
})
export class OccurrenceChart {
  readonly service = input.required<string>();
  readonly errorKey = input.required<string>();

  private readonly api = inject(PeriskopApi);
  private readonly refresh = inject(RefreshService);

  /** 1h: last 7 days (default); 1m: last 6 hours. */
  readonly step = signal<ChartStep>('1h');
  /** Every bucket of the range, or null while loading. */
  protected readonly buckets = signal<Bucket[] | null>(null);
  protected readonly failure = signal<string | null>(null);
  protected readonly hovered = signal<number | null>(null);

  protected readonly span = computed(() => CHART_SPANS[this.step()]);
  protected readonly sum = computed(() => (this.buckets() ?? []).reduce((s, b) => s + b.count, 0));
  private readonly peak = computed(() => {
    let peak: Bucket | null = null;
    for (const b of this.buckets() ?? []) if (peak === null || b.count > peak.count) peak = b;
    return peak;
  });

  /** What a screen reader hears for the chart. */
  protected readonly summary = computed(() => {
    const { label, unit } = this.span();
    const peak = this.peak();
    const total = this.sum();
    if (!peak || total === 0) return `No occurrences in ${label}.`;
    return `Occurrences per ${unit} over ${label}: ${total} in total, at most ${peak.count} in one ${unit}, at ${bucketTime(peak.t)}.`;
  });

  /** Above the chart: the hovered bucket, else the total and the peak. */
  protected readonly readout = computed(() => {
    const list = this.buckets();
    const index = this.hovered();
    if (list && index !== null && list[index]) return this.describe(list[index]);
    const peak = this.peak();
    if (!list || !peak || this.sum() === 0) return '';
    return `${plural(this.sum(), 'occurrence')} · at most ${peak.count} per ${this.span().unit}`;
  });

  protected readonly axisStart = computed(() => (this.step() === '1m' ? '6 hours ago' : '7 days ago'));

  private request: Subscription | null = null;

  constructor() {
    effect(() => {
      this.service();
      this.errorKey();
      this.step();
      untracked(() => this.load(true));
    });
    this.refresh.ticks$.pipe(takeUntilDestroyed()).subscribe(() => this.load(false));
    inject(DestroyRef).onDestroy(() => this.request?.unsubscribe());
  }

  /** `fresh`: another error or range (show "Loading"); else a refresh keeps the bars until the answer. */
  load(fresh: boolean): void {
    const service = this.service();
    const key = this.errorKey();
    const range = chartRange(this.step(), Date.now());
    this.request?.unsubscribe();
    if (fresh) {
      this.buckets.set(null);
      this.failure.set(null);
      this.hovered.set(null);
    }
    this.request = this.api.occurrences(service, key, range).subscribe({
      next: (points) => {
        this.buckets.set(fillBuckets(points, range));
        this.failure.set(null);
      },
      error: (error: unknown) => {
        this.buckets.set(null);
        this.failure.set(describeHttpError(error, 'the occurrences over time'));
      },
    });
  }

  protected describe(b: Bucket): string {
    return `${bucketTime(b.t)}: ${plural(b.count, 'occurrence')}`;
  }

  /** Height in the 0..100 view box; a bucket with any occurrence stays visible. */
  protected barHeight(count: number): number {
    const peak = this.peak()?.count ?? 0;
    if (count <= 0 || peak <= 0) return 0;
    return Math.max(4, Math.round((count / peak) * 1000) / 10);
  }

  protected hover(event: MouseEvent, buckets: number): void {
    const box = (event.currentTarget as Element).getBoundingClientRect();
    if (box.width <= 0) return;
    const index = Math.floor(((event.clientX - box.left) / box.width) * buckets);
    this.hovered.set(index >= 0 && index < buckets ? index : null);
  }
}
