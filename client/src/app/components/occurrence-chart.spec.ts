import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { RefreshService } from '../core/refresh';
import { text } from '../testing/fixtures';
import { request } from '../testing/setup';
import { OccurrenceChart } from './occurrence-chart';

const NOW = Date.UTC(2024, 4, 1, 12, 30, 20); // 2024-05-01 12:30:20 UTC
const HOUR = 3600;
const LAST_HOUR = Date.UTC(2024, 4, 1, 12) / 1000;
const FIRST_HOUR = LAST_HOUR - 167 * HOUR;
const LAST_MINUTE = Date.UTC(2024, 4, 1, 12, 30) / 1000;
const URL = `services/${encodeURIComponent('shop checkout')}/errors/${encodeURIComponent('orders/{id} (v2);x')}/occurrences`;

describe('OccurrenceChart', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    vi.spyOn(Date, 'now').mockReturnValue(NOW);
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    http.verify();
    vi.restoreAllMocks();
  });

  async function render() {
    const fixture = TestBed.createComponent(OccurrenceChart);
    fixture.componentRef.setInput('service', 'shop checkout');
    fixture.componentRef.setInput('errorKey', 'orders/{id} (v2);x');
    await fixture.whenStable();
    return { fixture, el: fixture.nativeElement as HTMLElement };
  }

  const bars = (el: HTMLElement) =>
    [...el.querySelectorAll('[data-testid="chart-bar"]')].map((b) => ({ t: Number(b.getAttribute('data-t')), count: Number(b.getAttribute('data-count')) }));
  const titles = (el: HTMLElement) => [...el.querySelectorAll('svg title')].map((t) => t.textContent);

  it('asks for the last 7 days by hour and draws every hour, the empty ones without a bar', async () => {
    const { fixture, el } = await render();
    expect(text(el, '.chart')).toContain('Loading');
    const req = request(http, URL);
    expect(req.request.params.get('step')).toBe('1h');
    expect(req.request.params.get('from')).toBe(String(FIRST_HOUR));
    expect(req.request.params.get('to')).toBe(String(NOW / 1000));
    req.flush([
      { t: FIRST_HOUR, count: 2 },
      { t: LAST_HOUR - 5 * HOUR, count: 1 },
      { t: LAST_HOUR, count: 5 },
    ]);
    await fixture.whenStable();

    // 168 buckets, gaps filled with zeros: one hover target each, a bar where there are occurrences.
    expect(el.querySelectorAll('svg rect.hit')).toHaveLength(168);
    expect(bars(el)).toEqual([
      { t: FIRST_HOUR, count: 2 },
      { t: LAST_HOUR - 5 * HOUR, count: 1 },
      { t: LAST_HOUR, count: 5 },
    ]);
    expect(titles(el)[0]).toBe('2024-04-24 13:00 UTC: 2 occurrences');
    expect(titles(el)[1]).toBe('2024-04-24 14:00 UTC: 0 occurrences');
    expect(titles(el)[167]).toBe('2024-05-01 12:00 UTC: 5 occurrences');
    const svg = el.querySelector('[data-testid="chart-svg"]')!;
    expect(svg.getAttribute('role')).toBe('img');
    expect(svg.getAttribute('aria-label')).toBe(
      'Occurrences per hour over the last 7 days: 8 in total, at most 5 in one hour, at 2024-05-01 12:00 UTC.',
    );
    // The tallest bar fills the chart; the others scale to it.
    const heights = [...el.querySelectorAll('[data-testid="chart-bar"]')].map((b) => Number(b.getAttribute('height')));
    expect(heights).toEqual([40, 20, 100]);
    expect(text(el, '[data-testid="chart-readout"]')).toBe('8 occurrences · at most 5 per hour');
    expect(el.querySelector('[data-testid="chart-7d"]')?.getAttribute('aria-pressed')).toBe('true');
  });

  it('tells the hovered bucket', async () => {
    const { fixture, el } = await render();
    request(http, URL).flush([{ t: LAST_HOUR, count: 3 }]);
    await fixture.whenStable();
    const svg = el.querySelector('[data-testid="chart-svg"]')!;
    vi.spyOn(svg, 'getBoundingClientRect').mockReturnValue({ left: 100, width: 336, top: 0, height: 72, right: 436, bottom: 72, x: 100, y: 0, toJSON: () => ({}) });
    svg.dispatchEvent(new MouseEvent('mousemove', { clientX: 435 }));
    await fixture.whenStable();
    expect(text(el, '[data-testid="chart-readout"]')).toBe('2024-05-01 12:00 UTC: 3 occurrences');
    expect(el.querySelector('[data-testid="chart-bar"]')?.classList).toContain('hovered');
    svg.dispatchEvent(new MouseEvent('mousemove', { clientX: 101 }));
    await fixture.whenStable();
    expect(text(el, '[data-testid="chart-readout"]')).toBe('2024-04-24 13:00 UTC: 0 occurrences');
    svg.dispatchEvent(new MouseEvent('mouseleave'));
    await fixture.whenStable();
    expect(text(el, '[data-testid="chart-readout"]')).toBe('3 occurrences · at most 3 per hour');
  });

  it('switches to the last 6 hours by minute and back', async () => {
    const { fixture, el } = await render();
    request(http, URL).flush([{ t: LAST_HOUR, count: 4 }]);
    await fixture.whenStable();

    (el.querySelector('[data-testid="chart-6h"]') as HTMLButtonElement).click();
    await fixture.whenStable();
    const req = request(http, URL);
    expect(req.request.params.get('step')).toBe('1m');
    expect(req.request.params.get('from')).toBe(String(LAST_MINUTE - 359 * 60));
    expect(text(el, '.chart')).toContain('Loading'); // not the hourly bars
    req.flush([{ t: LAST_MINUTE - 60, count: 1 }]);
    await fixture.whenStable();
    expect(el.querySelectorAll('svg rect.hit')).toHaveLength(360);
    expect(bars(el)).toEqual([{ t: LAST_MINUTE - 60, count: 1 }]);
    expect(titles(el)[358]).toBe('2024-05-01 12:29 UTC: 1 occurrence');
    expect(el.querySelector('[data-testid="chart-svg"]')?.getAttribute('aria-label')).toBe(
      'Occurrences per minute over the last 6 hours: 1 in total, at most 1 in one minute, at 2024-05-01 12:29 UTC.',
    );
    expect(el.querySelector('[data-testid="chart-6h"]')?.getAttribute('aria-pressed')).toBe('true');
    expect(el.querySelector('[data-testid="chart-7d"]')?.getAttribute('aria-pressed')).toBe('false');

    (el.querySelector('[data-testid="chart-7d"]') as HTMLButtonElement).click();
    await fixture.whenStable();
    expect(request(http, URL).request.params.get('step')).toBe('1h');
  });

  it('says so when there are no occurrences in the range', async () => {
    const { fixture, el } = await render();
    request(http, URL).flush([]);
    await fixture.whenStable();
    expect(el.querySelector('svg')).toBeNull();
    expect(text(el, '[data-testid="chart-empty"]')).toBe('No occurrences in the last 7 days.');
  });

  it('reloads with the auto-refresh, keeping the bars until the answer', async () => {
    const { fixture, el } = await render();
    request(http, URL).flush([{ t: LAST_HOUR, count: 1 }]);
    await fixture.whenStable();
    TestBed.inject(RefreshService).tick();
    await fixture.whenStable();
    const req = request(http, URL);
    expect(bars(el)).toEqual([{ t: LAST_HOUR, count: 1 }]);
    req.flush([{ t: LAST_HOUR, count: 6 }]);
    await fixture.whenStable();
    expect(bars(el)).toEqual([{ t: LAST_HOUR, count: 6 }]);
  });

  it('says what failed', async () => {
    const { fixture, el } = await render();
    request(http, URL).flush({ message: 'step: "1x" is not one of 1m, 1h' }, { status: 400, statusText: 'Bad Request' });
    await fixture.whenStable();
    expect(text(el, '[data-testid="chart-error"]')).toContain('HTTP 400');
  });
});
