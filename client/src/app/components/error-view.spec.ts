import { TestBed } from '@angular/core/testing';
import { detail, instance, occurrence, text, all } from '../testing/fixtures';
import { ErrorView, traceText } from './error-view';

describe('ErrorView', () => {
  const now = 1_700_000_000_000;

  async function render(d = detail('com.example.Boom@1', [occurrence('u1', 1_699_999_990), occurrence('u2', 1_699_999_900), occurrence('u3', 1_699_999_000)])) {
    const fixture = TestBed.createComponent(ErrorView);
    fixture.componentRef.setInput('error', d);
    fixture.componentRef.setInput('now', now);
    await fixture.whenStable();
    return { fixture, el: fixture.nativeElement as HTMLElement };
  }

  async function click(fixture: { whenStable: () => Promise<unknown> }, el: HTMLElement, testId: string) {
    (el.querySelector(`[data-testid="${testId}"]`) as HTMLButtonElement).click();
    await fixture.whenStable();
  }

  it('shows the summary: key, count, severity, first occurrence and last seen', async () => {
    const { el } = await render(
      detail('com.example.Boom@1', [occurrence('u1', 1_699_999_990)], { total_count: 42, severity: 'warning', created_at: 1_699_999_700, last_seen: 1_699_999_990 }),
    );
    expect(text(el, '[data-testid="detail-key"]')).toBe('com.example.Boom@1');
    expect(text(el, '[data-testid="detail-count"]')).toBe('42');
    expect(el.textContent).toContain('warning');
    expect(el.textContent).toContain('5 minutes ago');
    expect(el.textContent).toContain('10 seconds ago');
  });

  it('steps through the occurrences with Previous / Next, showing n/N, wrapping at both ends', async () => {
    const { fixture, el } = await render();
    const position = () => text(el, '[data-testid="occurrence-position"]');
    const uuid = () => text(el, '[data-testid="occurrence-uuid"]');
    expect([position(), uuid()]).toEqual(['1/3', 'u1']);
    await click(fixture, el, 'next');
    expect([position(), uuid()]).toEqual(['2/3', 'u2']);
    expect(text(el, '[data-testid="http-url"]')).toBe('http://svc/u2');
    await click(fixture, el, 'next');
    await click(fixture, el, 'next');
    expect([position(), uuid()]).toEqual(['1/3', 'u1']);
    await click(fixture, el, 'previous');
    expect([position(), uuid()]).toEqual(['3/3', 'u3']);
    expect(text(el, '[data-testid="occurred-at"]')).toContain('2023-11-14 21:56:40 UTC');
  });

  it('stays on the same occurrence when a refresh brings newer ones', async () => {
    const { fixture, el } = await render();
    await click(fixture, el, 'next');
    fixture.componentRef.setInput('error', detail('com.example.Boom@1', [occurrence('u0', 1_700_000_000), occurrence('u1', 1_699_999_990), occurrence('u2', 1_699_999_900)]));
    await fixture.whenStable();
    expect(text(el, '[data-testid="occurrence-uuid"]')).toBe('u2');
    expect(text(el, '[data-testid="occurrence-position"]')).toBe('3/3');
  });

  it('rebuilds the curl command from the HTTP context and shows the headers and body', async () => {
    const { el } = await render(
      detail('k', [
        occurrence('u1', 1_699_999_990, {
          http_context: {
            request_method: 'PUT',
            request_url: 'https://shop/api/cart?id=1',
            request_headers: { 'Content-Type': 'application/json', 'X-Trace': 'abc' },
            request_body: '{"qty": 2}',
          },
        }),
      ]),
    );
    expect(text(el, '[data-testid="curl"]')).toBe(
      `curl -X PUT -H 'Content-Type: application/json' -H 'X-Trace: abc' --data-raw '{"qty": 2}' 'https://shop/api/cart?id=1'`,
    );
    expect(all(el, '[data-testid="headers"] th')).toEqual(['Content-Type', 'X-Trace']);
    expect(all(el, '[data-testid="headers"] td')).toEqual(['application/json', 'abc']);
    expect(text(el, '[data-testid="http-body"]')).toBe('{"qty": 2}');
  });

  it('has no curl or HTTP context without one', async () => {
    const { el } = await render(detail('k', [occurrence('u1', 1_699_999_990, { http_context: null })]));
    expect(el.querySelector('[data-testid="curl"]')).toBeNull();
    expect(el.querySelector('[data-testid="http-context"]')).toBeNull();
  });

  it('renders the whole cause chain: class, message and stack trace of each cause', async () => {
    const chain = instance({
      class: 'app.RequestFailed',
      message: 'request failed',
      stacktrace: ['at handler()'],
      cause: instance({
        class: 'db.QueryFailed',
        message: 'query failed',
        stacktrace: ['at query()'],
        cause: instance({ class: 'net.Timeout', message: 'timed out', stacktrace: ['at socket()'], cause: null }),
      }),
    });
    const { el } = await render(detail('k', [occurrence('u1', 1_699_999_990, { error: chain })]));
    expect(all(el, '[data-testid="class"]')).toEqual(['app.RequestFailed', 'db.QueryFailed', 'net.Timeout']);
    expect(all(el, '[data-testid="message"]')).toEqual(['request failed', 'query failed', 'timed out']);
    expect(all(el, '[data-testid="stacktrace"]')).toEqual(['at handler()', 'at query()', 'at socket()']);
    expect(el.querySelectorAll('[data-testid="cause"]')).toHaveLength(2);
    expect(traceText(chain)).toBe(
      ['app.RequestFailed: request failed', '    at handler()', 'Caused by: db.QueryFailed: query failed', '    at query()', 'Caused by: net.Timeout: timed out', '    at socket()'].join('\n'),
    );
  });

  it('renders error text as text, never as HTML', async () => {
    const { el } = await render(
      detail('<b>key</b>', [occurrence('u1', 1_699_999_990, { error: instance({ class: '<i>C</i>', message: '<script>alert(1)</script><img src=x onerror=alert(2)>' }) })]),
    );
    expect(el.querySelector('script, img, b, i')).toBeNull();
    expect(text(el, '[data-testid="message"]')).toBe('<script>alert(1)</script><img src=x onerror=alert(2)>');
    expect(text(el, '[data-testid="detail-key"]')).toBe('<b>key</b>');
  });

  it('offers Resolve for an open error and marks a resolved one', async () => {
    const { fixture, el } = await render();
    let resolved = 0;
    fixture.componentInstance.resolve.subscribe(() => resolved++);
    await click(fixture, el, 'resolve');
    expect(resolved).toBe(1);
    fixture.componentRef.setInput('error', detail('k', [occurrence('u1', 1)], { resolved_at: 1_699_999_940 }));
    await fixture.whenStable();
    expect(el.querySelector('[data-testid="resolve"]')).toBeNull();
    expect(text(el, '[data-testid="detail-resolved"]')).toBe('resolved 1 minute ago');
  });
});
