import { TestBed } from '@angular/core/testing';
import { Sparkline } from './sparkline';

describe('Sparkline', () => {
  async function render(points: number[]) {
    const fixture = TestBed.createComponent(Sparkline);
    fixture.componentRef.setInput('points', points);
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    const bars = [...el.querySelectorAll('[data-testid="sparkline-bar"]')].map((b) => [Number(b.getAttribute('x')), Number(b.getAttribute('height'))]);
    return { label: el.querySelector('svg')!.getAttribute('aria-label'), bars };
  }

  it.each<[string, number[], string, number[][]]>([
    ['draws nothing for a quiet day', [0, 0, 0], 'No occurrences in the last 3 hours', []],
    ['scales bars to the busiest hour, skipping empty hours', [4, 0, 8], '12 occurrences in the last 3 hours, at most 8 in one hour', [[0.1, 10], [2.1, 20]]],
    ['keeps a single occurrence visible beside a busy hour', [1, 100], '101 occurrences in the last 2 hours, at most 100 in one hour', [[0.1, 2], [1.1, 20]]],
    ['says one occurrence in the singular', [0, 1], '1 occurrence in the last 2 hours, at most 1 in one hour', [[1.1, 20]]],
  ])('%s', async (_name, points, label, bars) => {
    expect(await render(points)).toEqual({ label, bars });
  });
});
