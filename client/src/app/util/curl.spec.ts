import { curlCommand, shellQuote } from './curl';

describe('curlCommand', () => {
  it('rebuilds method, headers, body and URL', () => {
    expect(
      curlCommand({
        request_method: 'POST',
        request_url: 'https://api.example.com/orders?x=1&y=2',
        request_headers: { 'Content-Type': 'application/json', 'X-Id': '7' },
        request_body: '{"a": 1}',
      }),
    ).toBe(`curl -X POST -H 'Content-Type: application/json' -H 'X-Id: 7' --data-raw '{"a": 1}' 'https://api.example.com/orders?x=1&y=2'`);
  });

  it('leaves out -X for a plain GET and quotes what a shell would run', () => {
    expect(curlCommand({ request_method: 'GET', request_url: 'http://svc/$(rm -rf /)', request_headers: { A: "it's" }, request_body: null })).toBe(
      `curl -H 'A: it'\\''s' 'http://svc/$(rm -rf /)'`,
    );
  });

  it('is null without an HTTP context or URL', () => {
    expect(curlCommand(null)).toBeNull();
    expect(curlCommand({ request_method: 'GET', request_url: '', request_headers: null, request_body: null })).toBeNull();
  });

  it('quotes only when needed', () => {
    expect(shellQuote('http://a/b')).toBe('http://a/b');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('a b')).toBe("'a b'");
  });
});
