import { NgTemplateOutlet } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  Directive,
  ElementRef,
  TemplateRef,
  afterNextRender,
  computed,
  contentChild,
  effect,
  inject,
  input,
  output,
  signal,
  untracked,
} from '@angular/core';

export interface VirtualRowContext {
  /** The row's index in the whole list. */
  $implicit: number;
}

/** The row template of an `app-virtual-list`: `<ng-template appVirtualRow let-index>`. */
@Directive({ selector: 'ng-template[appVirtualRow]' })
export class VirtualRow {
  readonly template = inject<TemplateRef<VirtualRowContext>>(TemplateRef);

  static ngTemplateContextGuard(_dir: VirtualRow, ctx: unknown): ctx is VirtualRowContext {
    return true;
  }
}

/** Rows `start` (inclusive) to `end` (exclusive). */
export interface RowRange {
  start: number;
  end: number;
}

/** The viewport's height when it has no layout (jsdom, a hidden tab). */
export const FALLBACK_VIEWPORT_PX = 600;

/**
 * A scrolling list of `count` rows of `rowHeight` px that renders only the rows on screen (and
 * `overscan` more on each side): the element keeps the full height, so the scroll bar is the
 * whole list's. The host is the scroll container; it says which rows it renders (`rangeChange`)
 * so that the data behind them can be fetched.
 */
@Component({
  selector: 'app-virtual-list',
  imports: [NgTemplateOutlet],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'vlist', role: 'list', '(scroll)': 'onScroll()' },
  template: `
    <div class="vlist-spacer" [style.height.px]="count() * rowHeight()">
      <div class="vlist-window" [style.transform]="'translateY(' + start() * rowHeight() + 'px)'">
        @for (i of indices(); track i) {
          <div class="vlist-row" role="listitem" [attr.data-index]="i" [attr.aria-posinset]="i + 1" [attr.aria-setsize]="count()" [style.height.px]="rowHeight()">
            <ng-container *ngTemplateOutlet="row().template; context: { $implicit: i }" />
          </div>
        }
      </div>
    </div>
  `,
})
export class VirtualList {
  readonly count = input.required<number>();
  readonly rowHeight = input.required<number>();
  /** Rows rendered beyond each edge of the viewport. */
  readonly overscan = input(6);
  readonly rangeChange = output<RowRange>();

  protected readonly row = contentChild.required(VirtualRow);
  private readonly el: HTMLElement = inject(ElementRef<HTMLElement>).nativeElement;
  private readonly destroyRef = inject(DestroyRef);
  private readonly scrollTop = signal(0);
  private readonly viewport = signal(FALLBACK_VIEWPORT_PX);

  /** First and last (exclusive) rows on screen. */
  readonly visibleRange = computed<RowRange>(() => {
    const height = this.rowHeight();
    const count = this.count();
    const end = Math.min(count, Math.ceil((this.scrollTop() + this.viewport()) / height));
    const start = Math.max(0, Math.min(Math.floor(this.scrollTop() / height), end - 1));
    return { start, end };
  });
  readonly start = computed(() => Math.max(0, this.visibleRange().start - this.overscan()));
  readonly end = computed(() => Math.min(this.count(), this.visibleRange().end + this.overscan()));
  protected readonly indices = computed(() => {
    const out: number[] = [];
    for (let i = this.start(); i < this.end(); i++) out.push(i);
    return out;
  });

  constructor() {
    effect(() => {
      const range = { start: this.start(), end: this.end() };
      untracked(() => this.rangeChange.emit(range));
    });
    afterNextRender(() => {
      this.measure();
      if (typeof ResizeObserver === 'undefined') return;
      const observer = new ResizeObserver(() => this.measure());
      observer.observe(this.el);
      this.destroyRef.onDestroy(() => observer.disconnect());
    });
  }

  protected onScroll(): void {
    this.scrollTop.set(this.el.scrollTop);
  }

  /** Scrolls as little as needed to show row `index` whole. */
  scrollToIndex(index: number): void {
    const height = this.rowHeight();
    const top = index * height;
    const view = this.viewportHeight();
    const current = this.el.scrollTop;
    let next = current;
    if (top < current) next = top;
    else if (top + height > current + view) next = top + height - view;
    if (next !== current) this.el.scrollTop = next;
    this.scrollTop.set(this.el.scrollTop);
  }

  scrollToTop(): void {
    this.el.scrollTop = 0;
    this.scrollTop.set(0);
  }

  private viewportHeight(): number {
    return this.el.clientHeight || FALLBACK_VIEWPORT_PX;
  }

  private measure(): void {
    this.viewport.set(this.viewportHeight());
    this.scrollTop.set(this.el.scrollTop);
  }
}
