import { ChangeDetectionStrategy, Component, computed, effect, input, output, signal, untracked } from '@angular/core';
import { type ErrorDetail, type ErrorInstance, type Occurrence, isRegressed, severityClass } from '../api/model';
import { causeChain } from '../util/causes';
import { curlCommand } from '../util/curl';
import { absoluteTime, relativeTime } from '../util/time';
import { CopyButton } from './copy-button';

/** A stack trace as text: "Class: message", its frames, then "Caused by: …" for each cause. */
export function traceText(error: ErrorInstance | null | undefined): string {
  const lines: string[] = [];
  causeChain(error).forEach((e, i) => {
    lines.push(`${i === 0 ? '' : 'Caused by: '}${e.class}${e.message ? `: ${e.message}` : ''}`);
    for (const frame of e.stacktrace ?? []) lines.push(`    ${frame}`);
  });
  return lines.join('\n');
}

/**
 * One aggregated error: summary, and its latest occurrences one at a time (Previous / Next,
 * "n/N"), each with its curl command, class, message, stack trace, cause chain and HTTP
 * context. Everything from the error is rendered as text, never as HTML.
 */
@Component({
  selector: 'app-error-view',
  imports: [CopyButton],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '(document:keydown)': 'onKey($event)' },
  templateUrl: './error-view.html',
})
export class ErrorView {
  readonly error = input.required<ErrorDetail>();
  /** Current time in ms (relative times). */
  readonly now = input(Date.now());
  readonly resolving = input(false);
  readonly resolve = output<void>();

  /** The occurrence shown, by uuid, so that a refresh bringing newer ones does not move it. */
  private readonly selectedUuid = signal<string | null>(null);

  private readonly errorKey = computed(() => this.error().aggregation_key);
  protected readonly occurrences = computed(() => this.error().latest_errors ?? []);
  protected readonly index = computed(() => {
    const uuid = this.selectedUuid();
    const i = uuid === null ? -1 : this.occurrences().findIndex((o) => o.uuid === uuid);
    return i < 0 ? 0 : i;
  });
  protected readonly occurrence = computed<Occurrence | null>(() => this.occurrences()[this.index()] ?? null);
  protected readonly chain = computed(() => causeChain(this.occurrence()?.error));
  protected readonly curl = computed(() => curlCommand(this.occurrence()?.http_context));
  protected readonly trace = computed(() => traceText(this.occurrence()?.error));
  protected readonly headers = computed(() => Object.entries(this.occurrence()?.http_context?.request_headers ?? {}));
  protected readonly severity = computed(() => severityClass(this.error().severity));
  protected readonly regressed = computed(() => isRegressed(this.error()));
  protected readonly lastSeen = computed(() => this.error().last_seen ?? this.occurrences()[0]?.timestamp ?? null);

  constructor() {
    // Another error: start at its newest occurrence.
    effect(() => {
      this.errorKey();
      untracked(() => this.selectedUuid.set(null));
    });
  }

  /** Go UI parity: stepping wraps around at both ends. */
  step(delta: number): void {
    const list = this.occurrences();
    if (!list.length) return;
    const next = (((this.index() + delta) % list.length) + list.length) % list.length;
    this.selectedUuid.set(list[next].uuid);
  }

  protected frames(e: ErrorInstance): string {
    return (e.stacktrace ?? []).join('\n');
  }

  protected rel(seconds: number | null | undefined): string {
    return relativeTime(seconds, this.now());
  }

  protected abs(seconds: number | null | undefined): string {
    return absoluteTime(seconds);
  }

  protected onKey(event: KeyboardEvent): void {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target as HTMLElement | null;
    if (target && target !== document.body && typeof target.closest === 'function' && target.closest('input, textarea, select, pre')) return;
    if (event.key === 'ArrowLeft') this.step(-1);
    else if (event.key === 'ArrowRight') this.step(1);
  }
}
