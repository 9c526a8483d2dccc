import { PRIMARY_OUTLET } from '@angular/router';
import { PlainUrlSerializer } from './url-serializer';

describe('PlainUrlSerializer', () => {
  const serializer = new PlainUrlSerializer();
  const paths = (url: string) => serializer.parse(url).root.children[PRIMARY_OUTLET]?.segments.map((s) => s.path) ?? [];

  it('decodes each segment of the Go UI deep link', () => {
    const key = 'path/with/slash (and) ;semi@x';
    expect(paths(`/checkout/errors/${encodeURIComponent(key)}`)).toEqual(['checkout', 'errors', key]);
    expect(paths('/api.payments%20v2')).toEqual(['api.payments v2']);
  });

  it('keeps parentheses and semicolons as text (no outlets, no matrix parameters)', () => {
    expect(paths('/svc/errors/Foo(bar);x=1')).toEqual(['svc', 'errors', 'Foo(bar);x=1']);
  });

  it('round-trips paths and query parameters', () => {
    const url = '/a%20b/errors/k%2F1@x?status=resolved&q=a%26b';
    const tree = serializer.parse(url);
    expect(tree.queryParams).toEqual({ status: 'resolved', q: 'a&b' });
    expect(serializer.serialize(tree)).toBe(url);
  });

  it('survives a malformed escape', () => {
    expect(paths('/svc/errors/100%')).toEqual(['svc', 'errors', '100%']);
  });
});
