import { ChangeDetectionStrategy, Component, signal, viewChild } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { FALLBACK_VIEWPORT_PX, type RowRange, VirtualList, VirtualRow } from './virtual-list';

@Component({
  imports: [VirtualList, VirtualRow],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <app-virtual-list [count]="count()" [rowHeight]="50" (rangeChange)="ranges.push($event)">
      <ng-template appVirtualRow let-i>
        <span class="cell">row {{ i }}</span>
      </ng-template>
    </app-virtual-list>
  `,
})
class Host {
  readonly count = signal(10_000);
  readonly ranges: RowRange[] = [];
  readonly list = viewChild.required(VirtualList);
}

describe('VirtualList', () => {
  // jsdom has no layout: the viewport counts as FALLBACK_VIEWPORT_PX (600 px, 12 rows of 50 px).
  const VIEW_ROWS = FALLBACK_VIEWPORT_PX / 50;

  async function render() {
    const fixture = TestBed.createComponent(Host);
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    const viewport = el.querySelector('app-virtual-list') as HTMLElement;
    const rows = () => [...el.querySelectorAll('.vlist-row')].map((r) => Number(r.getAttribute('data-index')));
    const scrollTo = async (top: number) => {
      viewport.scrollTop = top;
      viewport.dispatchEvent(new Event('scroll'));
      await fixture.whenStable();
    };
    return { fixture, el, viewport, rows, scrollTo };
  }

  it('renders only the rows on screen (and a few more) of 10,000, in a list as high as all of them', async () => {
    const { fixture, el, viewport, rows } = await render();
    expect(rows()).toEqual(Array.from({ length: VIEW_ROWS + 6 }, (_, i) => i));
    expect(el.querySelectorAll('.cell')).toHaveLength(VIEW_ROWS + 6);
    expect(el.querySelector('.cell')?.textContent).toBe('row 0');
    expect((el.querySelector('.vlist-spacer') as HTMLElement).style.height).toBe('500000px');
    expect(viewport.getAttribute('role')).toBe('list');
    const first = el.querySelector('.vlist-row')!;
    expect([first.getAttribute('role'), first.getAttribute('aria-posinset'), first.getAttribute('aria-setsize')]).toEqual(['listitem', '1', '10000']);
    expect(fixture.componentInstance.ranges.at(-1)).toEqual({ start: 0, end: VIEW_ROWS + 6 });
  });

  it('moves the window as it scrolls, to the very end', async () => {
    const { fixture, el, rows, scrollTo } = await render();
    await scrollTo(5000 * 50);
    expect(rows()[0]).toBe(4994);
    expect(rows()).toHaveLength(VIEW_ROWS + 12);
    expect((el.querySelector('.vlist-window') as HTMLElement).style.transform).toBe(`translateY(${4994 * 50}px)`);
    expect(fixture.componentInstance.ranges.at(-1)).toEqual({ start: 4994, end: 5000 + VIEW_ROWS + 6 });

    await scrollTo(10_000 * 50 - FALLBACK_VIEWPORT_PX);
    expect(rows().at(-1)).toBe(9999);
    expect(rows()).toHaveLength(VIEW_ROWS + 6);
    expect(el.querySelectorAll('.vlist-row .cell')[rows().length - 1].textContent).toBe('row 9999');
  });

  it('scrolls a row into view as little as needed', async () => {
    const { fixture, viewport, rows } = await render();
    const list = fixture.componentInstance.list();
    list.scrollToIndex(5); // already in view
    expect(viewport.scrollTop).toBe(0);
    list.scrollToIndex(20); // below: its bottom edge at the viewport's
    expect(viewport.scrollTop).toBe(21 * 50 - FALLBACK_VIEWPORT_PX);
    list.scrollToIndex(3); // above: its top edge at the viewport's
    expect(viewport.scrollTop).toBe(150);
    list.scrollToIndex(9999);
    await fixture.whenStable();
    expect(viewport.scrollTop).toBe(10_000 * 50 - FALLBACK_VIEWPORT_PX);
    expect(rows()).toContain(9999);
    list.scrollToTop();
    await fixture.whenStable();
    expect(rows()[0]).toBe(0);
  });

  it('follows the count', async () => {
    const { fixture, rows } = await render();
    fixture.componentInstance.count.set(3);
    await fixture.whenStable();
    expect(rows()).toEqual([0, 1, 2]);
    fixture.componentInstance.count.set(0);
    await fixture.whenStable();
    expect(rows()).toEqual([]);
  });
});
