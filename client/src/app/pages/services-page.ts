import { ChangeDetectionStrategy, Component, DestroyRef, ElementRef, computed, effect, inject, signal, untracked, viewChild } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { Subscription, catchError, from, map, mergeMap, of } from 'rxjs';
import { PeriskopApi } from '../api/periskop-api';
import { isOnControl, isTypingOrModified, scrollIntoViewIfNeeded } from '../core/keyboard';
import { serviceUrl } from '../core/links';
import { ServicesStore } from '../core/services-store';

/** Above this many services the home page does not ask each one for its count. */
export const MAX_COUNTED_SERVICES = 100;

/** Home: every service, with its open error count; click (or j/k + Enter) opens it. */
@Component({
  selector: 'app-services-page',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '(document:keydown)': 'onKey($event)' },
  template: `
    <section class="services-page">
      <div class="page-head">
        <h1>Services</h1>
        @if ((store.services() ?? []).length > 1) {
          <input
            #filterBox
            class="search"
            type="search"
            placeholder="Filter services  ( / )"
            aria-label="Filter services"
            [value]="filter()"
            (input)="filter.set($any($event.target).value)"
            (keydown.escape)="$any($event.target).blur()"
          />
        }
      </div>
      @if (store.error(); as error) {
        <div class="notice error" role="alert">
          {{ error }}
          <button type="button" class="btn small" (click)="store.load()">Retry</button>
        </div>
      }
      @if (store.services(); as services) {
        @if (services.length === 0) {
          <div class="empty" data-testid="empty">
            <h2>No services yet</h2>
            <p>
              Check your config's <code>services</code> and their targets (<code>static_configs</code>, …): Periskop lists a service
              once it is configured. The <a routerLink="/targets">Targets</a> page shows whether its instances answer.
            </p>
          </div>
        } @else if (shown().length === 0) {
          <p class="empty">No service matches “{{ filter() }}”.</p>
        } @else {
          <ul class="service-list" role="list">
            @for (service of shown(); track service; let i = $index) {
              <li [class.cursor]="i === cursor()" [attr.data-index]="i">
                <a [routerLink]="link(service)" class="service-link" data-testid="service">
                  <span class="service-name">{{ service }}</span>
                  @if (counts().get(service); as count) {
                    <span class="badge count" [title]="count + ' open errors'">{{ count }}</span>
                  } @else if (counts().has(service)) {
                    <span class="badge ok" title="No open errors">0</span>
                  }
                </a>
              </li>
            }
          </ul>
        }
      } @else if (!store.error()) {
        <p class="loading">Loading services…</p>
      }
    </section>
  `,
})
export class ServicesPage {
  protected readonly store = inject(ServicesStore);
  private readonly api = inject(PeriskopApi);
  private readonly router = inject(Router);
  private readonly host = inject(ElementRef<HTMLElement>);
  protected readonly filter = signal('');
  protected readonly cursor = signal(-1);
  protected readonly counts = signal(new Map<string, number>());
  private readonly filterBox = viewChild<ElementRef<HTMLInputElement>>('filterBox');
  private countRequest: Subscription | null = null;

  protected readonly shown = computed(() => {
    const needle = this.filter().trim().toLowerCase();
    const services = this.store.services() ?? [];
    return needle ? services.filter((s) => s.toLowerCase().includes(needle)) : services;
  });

  constructor() {
    // The shell loads the services; counts follow each new list.
    effect(() => {
      const services = this.store.services();
      if (services) untracked(() => this.loadCounts(services));
    });
    effect(() => {
      this.shown();
      untracked(() => this.cursor.set(-1));
    });
    // A refresh reloads the services (in the shell), and so the counts.
    inject(DestroyRef).onDestroy(() => this.countRequest?.unsubscribe());
  }

  protected link(service: string) {
    return serviceUrl(this.router, service);
  }

  private loadCounts(services: string[]): void {
    this.countRequest?.unsubscribe();
    if (services.length > MAX_COUNTED_SERVICES) return;
    const counts = new Map<string, number>();
    this.countRequest = from(services)
      .pipe(
        mergeMap(
          (service) =>
            this.api.errors(service, { status: 'open', severity: null, q: '', sort: 'last_seen', order: 'desc', offset: 0, limit: 1 }).pipe(
              map((page) => [service, page.total] as const),
              catchError(() => of(null)),
            ),
          4,
        ),
      )
      .subscribe((entry) => {
        if (!entry) return;
        counts.set(entry[0], entry[1]);
        this.counts.set(new Map(counts));
      });
  }

  protected onKey(event: KeyboardEvent): void {
    if (isTypingOrModified(event)) return;
    const list = this.shown();
    if (event.key === '/') {
      const box = this.filterBox();
      if (box) {
        event.preventDefault();
        box.nativeElement.focus();
      }
    } else if (event.key === 'j' || event.key === 'k') {
      if (!list.length) return;
      const step = event.key === 'j' ? 1 : -1;
      this.cursor.update((c) => Math.min(list.length - 1, Math.max(0, c < 0 ? 0 : c + step)));
      queueMicrotask(() => scrollIntoViewIfNeeded(this.host.nativeElement.querySelector(`[data-index="${this.cursor()}"]`)));
    } else if (event.key === 'Enter' && !isOnControl(event) && this.cursor() >= 0 && list[this.cursor()] !== undefined) {
      event.preventDefault();
      void this.router.navigateByUrl(serviceUrl(this.router, list[this.cursor()]));
    }
  }
}
