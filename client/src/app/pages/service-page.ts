import {
  DOCUMENT,
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  type OnDestroy,
  Injector,
  afterNextRender,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { Title } from '@angular/platform-browser';
import { NavigationEnd, type Params, Router, RouterLink, RouterOutlet } from '@angular/router';
import { Subject, type Subscription, debounceTime, filter, map } from 'rxjs';
import {
  type ErrorQuery,
  type ErrorSort,
  type ErrorStatus,
  type ErrorSummary,
  type Severity,
  isRegressed,
  severityClass,
} from '../api/model';
import { PeriskopApi, describeHttpError, isNotFound } from '../api/periskop-api';
import { isOnControl, isTypingOrModified, scrollIntoViewIfNeeded } from '../core/keyboard';
import { errorUrl, serviceUrl } from '../core/links';
import { RefreshService } from '../core/refresh';
import { ResolvedKeys } from '../core/resolved-keys';
import { absoluteTime, relativeTime } from '../util/time';

/** Errors per request; the list grows by this much as it is scrolled. */
export const PAGE_SIZE = 50;
/** The server's largest page: a refresh reloads at most this many rows at once. */
export const MAX_PAGE = 500;

const STATUSES: ErrorStatus[] = ['open', 'resolved', 'all'];
const SEVERITIES: Severity[] = ['error', 'warning', 'info'];
const SORTS: { value: ErrorSort; label: string }[] = [
  { value: 'last_seen', label: 'Latest occurrence' },
  { value: 'total_count', label: 'Event count' },
  { value: 'created_at', label: 'First seen' },
];

const pick = <T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T =>
  allowed.includes(value as T) ? (value as T) : fallback;

/**
 * A service: its errors (filtered, sorted, searched and paged by the server) beside the
 * selected error. Filters live in the query string, so a filtered view can be linked.
 */
@Component({
  selector: 'app-service-page',
  imports: [RouterLink, RouterOutlet],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '(document:keydown)': 'onKey($event)' },
  templateUrl: './service-page.html',
})
export class ServicePage implements OnDestroy {
  // Bound from the route: the path parameter and the query string.
  readonly service = input.required<string>();
  readonly status = input<string>();
  readonly severity = input<string>();
  readonly q = input<string>();
  readonly sort = input<string>();

  private readonly api = inject(PeriskopApi);
  private readonly router = inject(Router);
  private readonly host = inject(ElementRef<HTMLElement>);
  private readonly injector = inject(Injector);
  protected readonly refresh = inject(RefreshService);
  protected readonly resolvedKeys = inject(ResolvedKeys);

  protected readonly statuses = STATUSES;
  protected readonly severities = SEVERITIES;
  protected readonly sorts = SORTS;

  protected readonly items = signal<ErrorSummary[]>([]);
  protected readonly total = signal<number | null>(null);
  protected readonly loading = signal(false);
  protected readonly loadingMore = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly notFound = signal(false);
  protected readonly cursor = signal(-1);
  protected readonly searchText = signal('');
  private readonly document = inject(DOCUMENT);
  private readonly title = inject(Title);

  protected readonly query = computed<ErrorQuery>(() => ({
    status: pick(this.status(), STATUSES, 'open'),
    severity: this.severity() ? pick<Severity>(this.severity(), SEVERITIES, 'error') : null,
    q: this.q() ?? '',
    sort: pick(this.sort(), ['last_seen', 'total_count', 'created_at'] as const, 'last_seen'),
    order: 'desc',
    offset: 0,
    limit: PAGE_SIZE,
  }));

  /** The query string to carry along links, defaults left out. */
  protected readonly linkParams = computed<Params>(() => {
    const q = this.query();
    return {
      status: q.status === 'open' ? null : q.status,
      severity: q.severity,
      q: q.q.trim() || null,
      sort: q.sort === 'last_seen' ? null : q.sort,
    };
  });

  /** The list as shown: minus what was just resolved here and the server does not know yet. */
  protected readonly visible = computed(() => {
    const items = this.items();
    if (this.query().status === 'resolved') return items;
    const service = this.service();
    const hidden = new Set(this.resolvedKeys.pendingFor(service));
    if (!hidden.size) return items;
    const now = Date.now();
    return items.filter((e) => !(hidden.has(e.aggregation_key) && this.resolvedKeys.isHidden(service, e.aggregation_key, now)));
  });

  protected readonly shownTotal = computed(() => {
    const total = this.total();
    return total === null ? null : Math.max(0, total - (this.items().length - this.visible().length));
  });

  /** "120 open errors · showing 50" */
  protected readonly meta = computed(() => {
    const total = this.shownTotal();
    if (total === null) return '';
    const status = this.query().status;
    const words = [String(total), status === 'all' ? '' : status, total === 1 ? 'error' : 'errors'].filter(Boolean).join(' ');
    const shown = this.visible().length;
    return shown < total ? `${words} · showing ${shown}` : words;
  });

  protected readonly hasMore = computed(() => {
    const total = this.total();
    return total !== null && this.items().length < total;
  });

  protected readonly filtered = computed(() => this.query().severity !== null || this.query().q.trim() !== '');

  /** Relative times in the list move every 15 s, not every second. */
  protected readonly listNow = computed(() => Math.floor(this.refresh.now() / 15_000) * 15_000);

  private readonly url = toSignal(
    inject(Router).events.pipe(
      filter((e) => e instanceof NavigationEnd),
      map(() => this.router.url),
    ),
    { initialValue: inject(Router).url },
  );

  /** The error open beside the list, from the URL (`/:service/errors/:key`). */
  protected readonly activeKey = computed(() => {
    const segments = this.router.parseUrl(this.url()).root.children['primary']?.segments ?? [];
    return segments.length >= 3 && segments[1].path === 'errors'
      ? segments
          .slice(2)
          .map((s) => s.path)
          .join('/')
      : null;
  });

  protected readonly notice = computed(() => {
    const last = this.resolvedKeys.last();
    return last && last.service === this.service() && this.refresh.now() - last.at < 15_000 ? last : null;
  });

  private readonly searchBox = viewChild<ElementRef<HTMLInputElement>>('searchBox');
  private readonly sentinel = viewChild<ElementRef<HTMLElement>>('sentinel');
  private readonly searchInput$ = new Subject<string>();
  private request: Subscription | null = null;
  private moreRequest: Subscription | null = null;
  private generation = 0;
  private destroyed = false;
  private observer: IntersectionObserver | null = null;

  constructor() {
    effect(() => {
      const service = this.service();
      const query = this.query();
      untracked(() => this.reset(service, query));
    });
    // Keep the keyboard cursor on the open error.
    effect(() => {
      const key = this.activeKey();
      const list = this.visible();
      if (key === null) return;
      const index = list.findIndex((e) => e.aggregation_key === key);
      if (index >= 0) untracked(() => this.cursor.set(index));
    });
    this.refresh.ticks$.pipe(takeUntilDestroyed()).subscribe(() => this.reload());
    this.searchInput$.pipe(debounceTime(250), takeUntilDestroyed()).subscribe((text) => this.setQuery({ q: text || null }));
    // The search box shows the URL's q, except while someone types in it.
    effect(() => {
      const q = this.query().q;
      untracked(() => {
        if (this.document.activeElement !== this.searchBox()?.nativeElement) this.searchText.set(q);
      });
    });
    effect(() => this.title.setTitle(`${this.service()} · Periskop`));
    this.resolvedKeys.resolved$
      .pipe(
        filter((r) => r.service === this.service()),
        takeUntilDestroyed(),
      )
      .subscribe((r) => this.afterResolve(r.key));
    afterNextRender(() => this.observeSentinel());
    inject(DestroyRef).onDestroy(() => {
      this.destroyed = true;
      this.request?.unsubscribe();
      this.moreRequest?.unsubscribe();
    });
  }

  ngOnDestroy(): void {
    this.observer?.disconnect();
  }

  // ---- loading

  private reset(service: string, query: ErrorQuery): void {
    this.generation++;
    this.request?.unsubscribe();
    this.moreRequest?.unsubscribe();
    this.loadingMore.set(false);
    this.items.set([]);
    this.total.set(null);
    this.error.set(null);
    this.notFound.set(false);
    this.cursor.set(-1);
    this.loading.set(true);
    const generation = this.generation;
    this.request = this.api.errors(service, query).subscribe({
      next: (page) => {
        if (generation !== this.generation) return;
        this.loading.set(false);
        this.accept(page.items, page.total, []);
      },
      error: (error: unknown) => this.failed(error, generation),
    });
  }

  /** Auto-refresh: reload what is loaded (up to MAX_PAGE rows), keeping the scroll position. */
  protected reload(): void {
    if (this.loading()) return;
    if (this.notFound() || this.total() === null) {
      this.reset(this.service(), this.query());
      return;
    }
    const generation = this.generation;
    const loaded = this.items();
    const limit = Math.min(Math.max(loaded.length, PAGE_SIZE), MAX_PAGE);
    this.request?.unsubscribe();
    this.request = this.api.errors(this.service(), { ...this.query(), limit }).subscribe({
      next: (page) => {
        if (generation !== this.generation) return;
        this.accept(page.items, page.total, loaded.slice(limit));
      },
      error: (error: unknown) => this.failed(error, generation),
    });
  }

  protected loadMore(): void {
    if (this.loading() || this.loadingMore() || !this.hasMore()) return;
    const generation = this.generation;
    this.loadingMore.set(true);
    this.moreRequest = this.api.errors(this.service(), { ...this.query(), offset: this.items().length }).subscribe({
      next: (page) => {
        if (generation !== this.generation) return;
        this.loadingMore.set(false);
        this.accept([...this.items(), ...page.items], page.total, []);
      },
      error: (error: unknown) => {
        this.loadingMore.set(false);
        this.failed(error, generation);
      },
    });
  }

  private accept(head: ErrorSummary[], total: number, tail: ErrorSummary[]): void {
    const seen = new Set<string>();
    const items: ErrorSummary[] = [];
    for (const e of [...head, ...tail]) {
      if (seen.has(e.aggregation_key)) continue;
      seen.add(e.aggregation_key);
      items.push(e);
    }
    this.items.set(items);
    this.total.set(total);
    this.error.set(null);
    this.notFound.set(false);
    this.refresh.markUpdated();
    // Resolved here and gone from (or resolved in) the server's open list: the server caught up.
    if (this.query().status === 'open') {
      const open = new Map(items.map((e) => [e.aggregation_key, e]));
      for (const key of this.resolvedKeys.pendingFor(this.service())) {
        if (!open.has(key) || open.get(key)!.resolved_at !== null) this.resolvedKeys.confirm(this.service(), key);
      }
    }
    queueMicrotask(() => this.checkSentinel());
  }

  private failed(error: unknown, generation: number): void {
    if (generation !== this.generation) return;
    this.loading.set(false);
    if (isNotFound(error)) {
      this.notFound.set(true);
      this.items.set([]);
      this.total.set(null);
      return;
    }
    this.error.set(describeHttpError(error, 'the errors'));
    this.refresh.markFailed();
  }

  private afterResolve(key: string): void {
    if (this.activeKey() === key) {
      const list = this.items();
      const index = list.findIndex((e) => e.aggregation_key === key);
      const next = list.slice(index + 1).find((e) => !this.resolvedKeys.isHidden(this.service(), e.aggregation_key, Date.now()));
      void this.router.navigateByUrl(
        next ? errorUrl(this.router, this.service(), next.aggregation_key, this.linkParams()) : serviceUrl(this.router, this.service(), this.linkParams()),
      );
    }
    // The server applies the resolve shortly after it answered: look again then.
    setTimeout(() => {
      if (!this.destroyed) this.reload();
    }, 1_000);
  }

  // ---- incremental list

  private observeSentinel(): void {
    if (typeof IntersectionObserver === 'undefined') return;
    this.observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) this.loadMore();
    });
    effect(
      () => {
        const el = this.sentinel()?.nativeElement;
        this.observer?.disconnect();
        if (el) this.observer?.observe(el);
      },
      { injector: this.injector },
    );
  }

  /** After a page arrived: if the end of the list is on screen, fetch the next. */
  private checkSentinel(): void {
    const el = this.sentinel()?.nativeElement;
    if (!el || typeof el.getBoundingClientRect !== 'function') return;
    const rect = el.getBoundingClientRect();
    if (rect.height === 0 && rect.top === 0) return; // not laid out (tests, hidden)
    if (rect.top < window.innerHeight) this.loadMore();
  }

  // ---- filters (in the URL)

  protected setQuery(patch: Params, replace = true): void {
    const tree = this.router.parseUrl(this.router.url);
    const params: Params = { ...tree.queryParams, ...patch };
    for (const [k, v] of Object.entries(params)) if (v === null || v === undefined || v === '') delete params[k];
    tree.queryParams = params;
    void this.router.navigateByUrl(tree, { replaceUrl: replace });
  }

  protected setStatus(status: ErrorStatus): void {
    this.setQuery({ status: status === 'open' ? null : status }, false);
  }

  protected setSeverity(severity: Severity | null): void {
    this.setQuery({ severity });
  }

  protected setSort(sort: string): void {
    this.setQuery({ sort: sort === 'last_seen' ? null : sort });
  }

  protected onSearch(text: string): void {
    this.searchText.set(text);
    this.searchInput$.next(text);
  }

  protected searchNow(text: string): void {
    this.searchText.set(text);
    this.setQuery({ q: text || null });
  }

  protected clearFilters(): void {
    this.setQuery({ q: null, severity: null });
  }

  // ---- rows

  protected link(e: ErrorSummary) {
    return errorUrl(this.router, this.service(), e.aggregation_key, this.linkParams());
  }

  protected listLink() {
    return serviceUrl(this.router, this.service(), this.linkParams());
  }

  protected sev(e: ErrorSummary): Severity {
    return severityClass(e.severity);
  }

  protected regressed(e: ErrorSummary): boolean {
    return isRegressed(e);
  }

  protected summary(e: ErrorSummary): string {
    const error = e.latest?.error;
    if (!error) return '';
    return error.message ? `${error.class}: ${error.message}` : error.class;
  }

  protected rel(seconds: number | null): string {
    return relativeTime(seconds, this.listNow());
  }

  protected abs(seconds: number | null): string {
    return absoluteTime(seconds);
  }

  // ---- keyboard

  protected onKey(event: KeyboardEvent): void {
    if (isTypingOrModified(event)) return;
    const list = this.visible();
    if (event.key === '/') {
      event.preventDefault();
      this.searchBox()?.nativeElement.focus();
    } else if (event.key === 'j' || event.key === 'k') {
      if (!list.length) return;
      const step = event.key === 'j' ? 1 : -1;
      const next = Math.min(list.length - 1, Math.max(0, this.cursor() < 0 ? 0 : this.cursor() + step));
      this.cursor.set(next);
      if (next >= list.length - 5) this.loadMore();
      queueMicrotask(() => scrollIntoViewIfNeeded(this.host.nativeElement.querySelector(`[data-index="${next}"]`)));
    } else if ((event.key === 'Enter' || event.key === 'o') && !isOnControl(event)) {
      const e = list[this.cursor()];
      if (!e) return;
      event.preventDefault();
      void this.router.navigateByUrl(this.link(e));
    }
  }
}
