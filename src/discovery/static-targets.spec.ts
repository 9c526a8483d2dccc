import type { ServiceConfig } from '../config/config.types.js';
import { staticTargets } from './static-targets.js';

function service(staticConfigs: ServiceConfig['staticConfigs']): ServiceConfig {
  return {
    name: 's',
    staticConfigs,
    unsupportedDiscovery: [],
    scraper: { endpoint: '/errors', refreshIntervalMs: 10_000, timeoutMs: 10_000, bodyLimitBytes: 1 << 24 },
  };
}

describe('staticTargets', () => {
  it.each([
    ['appends the endpoint to host:port', ['localhost:7777'], 'http://localhost:7777/errors', 'localhost:7777'],
    ['keeps a full URL as it is', ['https://api.example:8443/custom'], 'https://api.example:8443/custom', 'api.example:8443'],
  ])('%s', (_name, targets, url, address) => {
    expect(staticTargets(service([{ targets, labels: {} }]))).toEqual([{ url, address, labels: {} }]);
  });

  it('carries each group its labels and lists a target once', () => {
    const targets = staticTargets(
      service([
        { targets: ['a:1', 'b:1'], labels: { zone: 'x' } },
        { targets: ['a:1'], labels: { zone: 'y' } },
      ]),
    );
    expect(targets.map((t) => [t.address, t.labels.zone])).toEqual([
      ['a:1', 'x'],
      ['b:1', 'x'],
    ]);
  });
});
