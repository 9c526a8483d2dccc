import type { ScraperConfig } from '../config/config.types.js';
import { finalTargets } from './final-targets.js';

const scraper: ScraperConfig = { endpoint: '/errors', refreshIntervalMs: 10_000, timeoutMs: 10_000, bodyLimitBytes: 1 << 24 };

describe('finalTargets', () => {
  it.each([
    ['appends the endpoint to host:port', 'localhost:7777', 'http://localhost:7777/errors', 'localhost:7777'],
    ['keeps a full URL as it is', 'https://api.example:8443/custom', 'https://api.example:8443/custom', 'api.example:8443'],
    ['keeps the query of a full URL', 'http://gw:7878/-/errors?tenant=a', 'http://gw:7878/-/errors?tenant=a', 'gw:7878'],
  ])('%s', (_name, target, url, address) => {
    expect(finalTargets([{ source: 's', targets: [target], labels: {} }], scraper)).toEqual([{ url, address, labels: {} }]);
  });

  it('carries each group its labels and lists a target once', () => {
    const targets = finalTargets(
      [
        { source: 'a', targets: ['a:1', 'b:1'], labels: { zone: 'x' } },
        { source: 'b', targets: ['a:1'], labels: { zone: 'y' } },
      ],
      scraper,
    );
    expect(targets.map((t) => [t.address, t.labels.zone])).toEqual([
      ['a:1', 'x'],
      ['b:1', 'x'],
    ]);
  });

  it('lets relabeling rewrite the address, scheme and path, and drops the __ labels', () => {
    const targets = finalTargets([{ source: 's', targets: ['pod:1'], labels: { __meta_pod: 'p1', app: 'shop' } }], scraper, (labels) => ({
      ...labels,
      __address__: 'pod:9090',
      __scheme__: 'https',
      __metrics_path__: '/internal/errors',
      __param_token: 'x y',
    }));
    expect(targets).toEqual([{ address: 'pod:9090', url: 'https://pod:9090/internal/errors?token=x+y', labels: { app: 'shop' } }]);
  });

  it('drops targets relabeling drops or leaves without an address', () => {
    const groups = [{ source: 's', targets: ['a:1', 'b:1'], labels: {} }];
    expect(finalTargets(groups, scraper, (l) => (l.__address__ === 'a:1' ? null : { ...l, __address__: '' }))).toEqual([]);
  });
});
