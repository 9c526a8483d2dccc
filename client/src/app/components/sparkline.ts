import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

/**
 * A tiny bar chart of an error's occurrences per hour over the last day (the list's
 * `sparkline`), scaled to its own largest hour. Inline SVG, no interaction: the label tells
 * the numbers to screen readers and as a tooltip.
 */
@Component({
  selector: 'app-sparkline',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <svg
      class="sparkline"
      role="img"
      data-testid="sparkline"
      [attr.aria-label]="label()"
      [attr.viewBox]="'0 0 ' + points().length + ' 20'"
      preserveAspectRatio="none"
    >
      <title>{{ label() }}</title>
      @for (h of heights(); track $index) {
        @if (h > 0) {
          <rect data-testid="sparkline-bar" [attr.x]="$index + 0.1" [attr.y]="20 - h" width="0.8" [attr.height]="h" />
        }
      }
    </svg>
  `,
})
export class Sparkline {
  /** Counts, oldest first, one per hour. */
  readonly points = input.required<number[]>();

  protected readonly heights = computed(() => {
    const max = Math.max(0, ...this.points());
    // Any occurrence shows at least a sliver.
    return this.points().map((n) => (n > 0 ? Math.max(2, (n / max) * 20) : 0));
  });

  protected readonly label = computed(() => {
    const points = this.points();
    const sum = points.reduce((a, b) => a + b, 0);
    if (sum === 0) return `No occurrences in the last ${points.length} hours`;
    return `${sum} occurrence${sum === 1 ? '' : 's'} in the last ${points.length} hours, at most ${Math.max(...points)} in one hour`;
  });
}
