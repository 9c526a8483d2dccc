import {
  DOCUMENT,
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
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
import { Subject, Subscription, debounceTime, filter, map } from 'rxjs';
import {
  type ErrorPage,
  type ErrorQuery,
  type ErrorSort,
  type ErrorStatus,
  type ErrorSummary,
  NEW_WITHIN_MS,
  type NewWithin,
  type Severity,
  isRegressed,
  severityClass,
} from '../api/model';
import { PeriskopApi, describeHttpError, isNotFound } from '../api/periskop-api';
import { type RowRange, VirtualList, VirtualRow } from '../components/virtual-list';
import { Sparkline } from '../components/sparkline';
import { isOnControl, isTypingOrModified } from '../core/keyboard';
import { errorUrl, serviceUrl } from '../core/links';
import { RefreshService } from '../core/refresh';
import { ResolvedKeys } from '../core/resolved-keys';
import { atFromUrl, atToPicker, pickerToAt } from '../util/point-in-time';
import { absoluteTime, relativeTime } from '../util/time';

/** Errors per request: the list fetches the pages of the rows scrolled into view (the server allows up to 500). */
export const PAGE_SIZE = 100;
/** A row's height in rem: rows are all as high, so that only those on screen need rendering. */
export const ROW_REM = 5.2;

/** Row height in px for the root font size. */
function rowHeightPx(document: Document): number {
  const root = parseFloat(document.defaultView?.getComputedStyle(document.documentElement).fontSize ?? '');
  return Math.round((Number.isFinite(root) && root > 0 ? root : 15) * ROW_REM);
}

const STATUSES: ErrorStatus[] = ['open', 'resolved', 'all'];
const SEVERITIES: Severity[] = ['error', 'warning', 'info'];
const SORTS: { value: ErrorSort; label: string }[] = [
  { value: 'last_seen', label: 'Latest occurrence' },
  { value: 'total_count', label: 'Event count' },
  { value: 'created_at', label: 'First seen' },
];

const NEW_WITHINS: { value: NewWithin | ''; label: string }[] = [
  { value: '', label: 'First seen: any time' },
  { value: '1h', label: 'New in the last hour' },
  { value: '24h', label: 'New in the last 24 hours' },
  { value: '7d', label: 'New in the last 7 days' },
  { value: '30d', label: 'New in the last 30 days' },
];
const NEW_WITHIN_VALUES = Object.keys(NEW_WITHIN_MS) as NewWithin[];

const pick = <T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T =>
  allowed.includes(value as T) ? (value as T) : fallback;

/**
 * A service: its errors (filtered, sorted, searched and paged by the server) beside the
 * selected error. Filters live in the query string, so a filtered view can be linked.
 *
 * The list is virtual: it is as long as the server's total, renders only the rows on screen,
 * and fetches the pages (offset/limit) behind them as they scroll into view, so a service with
 * tens of thousands of errors stays responsive.
 */
@Component({
  selector: 'app-service-page',
  imports: [RouterLink, RouterOutlet, VirtualList, VirtualRow, Sparkline],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '(document:keydown)': 'onKey($event)' },
  templateUrl: './service-page.html',
})
export class ServicePage {
  // Bound from the route: the path parameter and the query string.
  readonly service = input.required<string>();
  readonly status = input<string>();
  readonly severity = input<string>();
  readonly q = input<string>();
  readonly sort = input<string>();
  /** `new=1h|24h|7d|30d`: only errors first seen that recently. */
  readonly new = input<string>();
  /** RFC 3339: the list as it stood then; absent: live. */
  readonly at = input<string>();

  private readonly api = inject(PeriskopApi);
  private readonly router = inject(Router);
  protected readonly refresh = inject(RefreshService);
  protected readonly resolvedKeys = inject(ResolvedKeys);

  protected readonly statuses = STATUSES;
  protected readonly severities = SEVERITIES;
  protected readonly sorts = SORTS;
  protected readonly newWithins = NEW_WITHINS;

  /** The server's rows by offset, `total` long; holes where a page is not loaded. */
  private readonly rows = signal<(ErrorSummary | undefined)[]>([]);
  protected readonly total = signal<number | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly notFound = signal(false);
  protected readonly cursor = signal(-1);
  protected readonly searchText = signal('');
  private readonly document = inject(DOCUMENT);
  private readonly title = inject(Title);
  protected readonly rowHeight = rowHeightPx(this.document);

  protected readonly query = computed<ErrorQuery>(() => ({
    status: pick(this.status(), STATUSES, 'open'),
    severity: this.severity() ? pick<Severity>(this.severity(), SEVERITIES, 'error') : null,
    q: this.q() ?? '',
    sort: pick(this.sort(), ['last_seen', 'total_count', 'created_at'] as const, 'last_seen'),
    order: 'desc',
    offset: 0,
    limit: PAGE_SIZE,
    newWithin: this.new() ? pick<NewWithin>(this.new(), NEW_WITHIN_VALUES, '24h') : null,
    sparkline: true,
    at: atFromUrl(this.at()),
  }));

  /** The time picker's value (UTC); empty when live. */
  protected readonly atPicker = computed(() => atToPicker(this.query().at ?? null));

  /** The query string to carry along links, defaults left out. */
  protected readonly linkParams = computed<Params>(() => {
    const q = this.query();
    return {
      status: q.status === 'open' ? null : q.status,
      severity: q.severity,
      q: q.q.trim() || null,
      sort: q.sort === 'last_seen' ? null : q.sort,
      new: q.newWithin ?? null,
      at: q.at ?? null,
    };
  });

  /** The list as shown (holes: rows not loaded yet), minus what was just resolved here and the server does not know yet. */
  protected readonly visible = computed(() => {
    const rows = this.rows();
    if (this.query().status === 'resolved') return rows;
    const service = this.service();
    const now = Date.now();
    const hidden = new Set(this.resolvedKeys.pendingFor(service).filter((key) => this.resolvedKeys.isHidden(service, key, now)));
    if (!hidden.size) return rows;
    const shown: (ErrorSummary | undefined)[] = [];
    for (let i = 0; i < rows.length; i++) {
      const e = rows[i];
      if (!(e && hidden.has(e.aggregation_key))) shown.push(e);
    }
    return shown;
  });

  private readonly hiddenCount = computed(() => this.rows().length - this.visible().length);

  protected readonly shownTotal = computed(() => {
    const total = this.total();
    return total === null ? null : Math.max(0, total - this.hiddenCount());
  });

  /** "120 open errors" */
  protected readonly meta = computed(() => {
    const total = this.shownTotal();
    if (total === null) return '';
    const { status, at } = this.query();
    const asOf = at ? `at ${absoluteTime(Date.parse(at) / 1000)}` : '';
    return [String(total), status === 'all' ? '' : status, total === 1 ? 'error' : 'errors', asOf].filter(Boolean).join(' ');
  });

  protected readonly filtered = computed(() => this.query().severity !== null || this.query().q.trim() !== '' || !!this.query().newWithin);

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
  private readonly list = viewChild(VirtualList);
  private readonly searchInput$ = new Subject<string>();
  /** Bumped by every reset (another service or query): answers to older requests are dropped. */
  private generation = 0;
  /** Bumped by every refresh: pages fetched before are stale. */
  private version = 0;
  /** Page → the version it was fetched at. */
  private readonly fetched = new Map<number, number>();
  private readonly inflight = new Map<number, { version: number; sub: Subscription }>();
  /** Rows the list renders (visible indices). */
  private window: RowRange = { start: 0, end: PAGE_SIZE };
  /** The open error the list last scrolled to. */
  private scrolledTo: string | null = null;
  private destroyed = false;

  constructor() {
    effect(() => {
      const service = this.service();
      const query = this.query();
      untracked(() => this.reset(service, query));
    });
    // Keep the keyboard cursor on the open error, and the open error in view once.
    effect(() => {
      const key = this.activeKey();
      const list = this.visible();
      const view = this.list();
      if (key === null) return;
      const index = list.findIndex((e) => e?.aggregation_key === key);
      if (index < 0) return;
      untracked(() => {
        this.cursor.set(index);
        if (view && this.scrolledTo !== key) {
          this.scrolledTo = key;
          view.scrollToIndex(index);
        }
      });
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
    inject(DestroyRef).onDestroy(() => {
      this.destroyed = true;
      this.cancelAll();
    });
  }

  // ---- loading (pages behind the rows on screen)

  private reset(service: string, query: ErrorQuery): void {
    this.generation++;
    this.version = 0;
    this.cancelAll();
    this.fetched.clear();
    this.rows.set([]);
    this.total.set(null);
    this.error.set(null);
    this.notFound.set(false);
    this.cursor.set(-1);
    this.scrolledTo = null;
    this.loading.set(true);
    this.window = { start: 0, end: PAGE_SIZE };
    this.list()?.scrollToTop();
    this.fetch(service, query, 0);
  }

  /** Auto-refresh: fetch again the pages on screen; rows away from it are dropped, and fetched when scrolled to. */
  protected reload(): void {
    // A past moment does not change: nothing to refresh.
    if (this.loading() || this.query().at) return;
    if (this.notFound() || this.total() === null) {
      this.reset(this.service(), this.query());
      return;
    }
    this.version++;
    const needed = new Set(this.neededPages());
    const away = [...this.fetched.keys()].filter((page) => !needed.has(page));
    if (away.length) {
      const rows = this.rows().slice();
      for (const page of away) {
        this.fetched.delete(page);
        for (let i = page * PAGE_SIZE; i < Math.min((page + 1) * PAGE_SIZE, rows.length); i++) delete rows[i];
      }
      this.rows.set(rows);
    }
    this.ensurePages();
  }

  /** The list renders other rows. */
  protected onRange(range: RowRange): void {
    this.window = range;
    this.ensurePages();
  }

  /** Pages behind the rendered rows (and as many rows more as are hidden here: they shift the server's offsets). */
  private neededPages(): number[] {
    const total = this.total() ?? 0;
    const { start, end } = this.window;
    const last = Math.max(start, Math.min(end + this.hiddenCount(), total) - 1);
    const pages: number[] = [];
    for (let page = Math.floor(start / PAGE_SIZE); page <= Math.floor(last / PAGE_SIZE); page++) pages.push(page);
    return pages;
  }

  private ensurePages(): void {
    if (this.loading() || this.notFound() || this.total() === null) return;
    const needed = this.neededPages();
    for (const page of needed) {
      if (this.fetched.get(page) === this.version || this.inflight.get(page)?.version === this.version) continue;
      this.fetch(this.service(), this.query(), page);
    }
    // Scrolled far away meanwhile: those rows are not needed anymore.
    const first = needed[0];
    const last = needed[needed.length - 1];
    for (const [page, request] of this.inflight) {
      if (page < first - 1 || page > last + 1) {
        request.sub.unsubscribe();
        this.inflight.delete(page);
      }
    }
  }

  private fetch(service: string, query: ErrorQuery, page: number): void {
    const generation = this.generation;
    const request = { version: this.version, sub: Subscription.EMPTY };
    this.inflight.get(page)?.sub.unsubscribe();
    this.inflight.set(page, request);
    request.sub = this.api.errors(service, { ...query, offset: page * PAGE_SIZE, limit: PAGE_SIZE }).subscribe({
      next: (answer) => {
        if (generation !== this.generation) return;
        if (this.inflight.get(page) === request) this.inflight.delete(page);
        this.fetched.set(page, request.version);
        this.loading.set(false);
        this.accept(page, answer);
      },
      error: (error: unknown) => {
        if (this.inflight.get(page) === request) this.inflight.delete(page);
        this.failed(error, generation);
      },
    });
  }

  private cancelAll(): void {
    for (const request of this.inflight.values()) request.sub.unsubscribe();
    this.inflight.clear();
  }

  private accept(page: number, answer: ErrorPage): void {
    const rows = this.rows().slice(0, answer.total);
    rows.length = answer.total;
    answer.items.forEach((e, i) => {
      if (page * PAGE_SIZE + i < rows.length) rows[page * PAGE_SIZE + i] = e;
    });
    this.rows.set(rows);
    this.total.set(answer.total);
    this.error.set(null);
    this.notFound.set(false);
    this.refresh.markUpdated();
    // Resolved here and gone from (or resolved in) the server's open list: the server caught up.
    if (this.query().status === 'open') {
      const pending = this.resolvedKeys.pendingFor(this.service());
      if (pending.length) {
        const open = new Map<string, ErrorSummary>();
        for (const e of rows) if (e) open.set(e.aggregation_key, e);
        for (const key of pending) {
          if (!open.has(key) || open.get(key)!.resolved_at !== null) this.resolvedKeys.confirm(this.service(), key);
        }
      }
    }
    // A new total can change which pages the rows on screen need.
    this.ensurePages();
  }

  private failed(error: unknown, generation: number): void {
    if (generation !== this.generation) return;
    this.loading.set(false);
    if (isNotFound(error)) {
      this.notFound.set(true);
      this.cancelAll();
      this.fetched.clear();
      this.rows.set([]);
      this.total.set(null);
      return;
    }
    this.error.set(describeHttpError(error, 'the errors'));
    this.refresh.markFailed();
  }

  private afterResolve(key: string): void {
    if (this.activeKey() === key) {
      const rows = this.rows();
      const index = rows.findIndex((e) => e?.aggregation_key === key);
      const next = rows.slice(index + 1, index + 1 + PAGE_SIZE).find((e) => e && !this.resolvedKeys.isHidden(this.service(), e.aggregation_key, Date.now()));
      void this.router.navigateByUrl(
        next ? errorUrl(this.router, this.service(), next.aggregation_key, this.linkParams()) : serviceUrl(this.router, this.service(), this.linkParams()),
      );
    }
    // The server applies the resolve shortly after it answered: look again then.
    setTimeout(() => {
      if (!this.destroyed) this.reload();
    }, 1_000);
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

  protected setNewWithin(value: string): void {
    this.setQuery({ new: value || null });
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

  /** Switches the list to a past moment (a picker value, UTC), or back to live (""). */
  protected setAt(value: string): void {
    this.setQuery({ at: pickerToAt(value) }, false);
  }

  protected clearFilters(): void {
    this.setQuery({ q: null, severity: null, new: null });
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
      // The list fetches the row's page if it is not loaded yet.
      this.list()?.scrollToIndex(next);
    } else if ((event.key === 'Enter' || event.key === 'o') && !isOnControl(event)) {
      const e = list[this.cursor()];
      if (!e) return;
      event.preventDefault();
      void this.router.navigateByUrl(this.link(e));
    }
  }
}
