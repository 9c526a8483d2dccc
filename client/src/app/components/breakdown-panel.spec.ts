import { TestBed } from '@angular/core/testing';
import { breakdownLabels } from '../api/model';
import { all, text } from '../testing/fixtures';
import { fakeHttpAt, request } from '../testing/setup';
import { BreakdownPanel } from './breakdown-panel';

const NOW = Date.UTC(2024, 5, 1, 12);
const DAY = 86_400;
const URL = `services/${encodeURIComponent('shop checkout')}/errors/${encodeURIComponent('orders/{id};x')}/breakdown`;

describe('breakdownLabels', () => {
  it.each([
    ['reads no label from a service without breakdown_labels', { __first_seen__: {} }, []],
    [
      'orders values by count and finds the value seen first',
      { version: { '1.4.2': 3, '1.5.0': 17 }, __first_seen__: { version: { '1.4.2': 100, '1.5.0': 200 } } },
      [
        {
          label: 'version',
          values: [
            { value: '1.5.0', count: 17, firstSeen: 200 },
            { value: '1.4.2', count: 3, firstSeen: 100 },
          ],
          earliest: { value: '1.4.2', count: 3, firstSeen: 100 },
        },
      ],
    ],
    ['keeps a configured label without values', { canary: {}, __first_seen__: { canary: {} } }, [{ label: 'canary', values: [], earliest: null }]],
  ])('%s', (_name, answer, expected) => {
    expect(breakdownLabels(answer)).toEqual(expected);
  });
});

describe('BreakdownPanel', () => {
  const http = fakeHttpAt(NOW);

  async function render(answer: object, status = 200) {
    const fixture = TestBed.createComponent(BreakdownPanel);
    fixture.componentRef.setInput('service', 'shop checkout');
    fixture.componentRef.setInput('errorKey', 'orders/{id};x');
    await fixture.whenStable();
    const req = request(http.controller, URL);
    if (status === 200) req.flush(answer);
    else req.flush(answer, { status, statusText: 'error' });
    await fixture.whenStable();
    return fixture.nativeElement as HTMLElement;
  }

  it('shows each label: the value the error was first seen in, then each value with its count and first seen', async () => {
    const el = await render({
      version: { '1.4.2': 3, '1.5.0': 17 },
      zone: { eu: 20 },
      __first_seen__: { version: { '1.4.2': NOW / 1000 - 3 * DAY, '1.5.0': NOW / 1000 - DAY }, zone: { eu: NOW / 1000 - 3 * DAY } },
    });
    expect(all(el, '[data-testid="breakdown-first"]')).toEqual(['first seen in 1.4.2', 'first seen in eu']);
    const rows = [...el.querySelectorAll('[data-testid="breakdown-value"]')].map((li) => all(li, '.value, .count, .when').join(' | '));
    expect(rows).toEqual(['1.5.0 | 17 | since yesterday', '1.4.2 | 3 | since 3 days ago', 'eu | 20 | since 3 days ago']);
  });

  it('shows nothing for a service without breakdown_labels', async () => {
    const el = await render({ __first_seen__: {} });
    expect(el.querySelector('[data-testid="breakdown"]')).toBeNull();
  });

  it('says so when the breakdown cannot be loaded', async () => {
    const el = await render({ message: 'boom' }, 500);
    expect(text(el, '[data-testid="breakdown-error"]')).toBe('Loading the breakdown failed: HTTP 500 — boom.');
  });
});
