// dns_sd_configs against a real (tiny) DNS server on 127.0.0.1, through node:dns as in production.

import type { DnsSdConfig } from '../src/config/config.types.js';
import { DnsDiscovery } from '../src/discovery/dns-discovery.js';
import { DiscoveryProbe, LogCapture } from './support/discovery-probe.js';
import { TestDnsServer } from './support/dns-server.js';

describe('dns_sd_configs', () => {
  let dns: TestDnsServer;
  let logs: LogCapture;
  const probes: DiscoveryProbe[] = [];

  beforeAll(async () => {
    dns = await TestDnsServer.start();
  });
  afterAll(async () => {
    await dns.close();
  });
  beforeEach(() => {
    logs = new LogCapture();
    dns.records.clear();
    dns.failing.clear();
  });
  afterEach(async () => {
    await Promise.all(probes.splice(0).map((p) => p.stop()));
    logs.restore();
  });

  async function discover(config: Partial<DnsSdConfig> & { names: string[] }): Promise<{ probe: DiscoveryProbe; mechanism: DnsDiscovery }> {
    const mechanism = new DnsDiscovery({ type: 'SRV', port: 0, refreshIntervalMs: 60_000, ...config }, 0, 'shop', {
      servers: [dns.address],
      timeoutMs: 500,
    });
    const probe = await new DiscoveryProbe(mechanism).start();
    probes.push(probe);
    return { probe, mechanism };
  }

  it('SRV (the default type): a target per record, with the record target and port as meta labels', async () => {
    dns.set('_errors._tcp.shop.test', [
      { type: 'SRV', target: 'checkout-1.shop.test', port: 7777 },
      { type: 'SRV', target: 'checkout-2.shop.test', port: 7778 },
    ]);
    const { probe } = await discover({ names: ['_errors._tcp.shop.test'] });
    await probe.untilAddresses(['checkout-1.shop.test:7777', 'checkout-2.shop.test:7778']);
    expect(probe.latest!.find((g) => g.targets[0] === 'checkout-2.shop.test:7778')!.labels).toEqual({
      __meta_dns_name: '_errors._tcp.shop.test',
      __meta_dns_srv_record_target: 'checkout-2.shop.test.',
      __meta_dns_srv_record_port: '7778',
    });
  });

  it('A with the configured port; changes, NXDOMAIN and answers without records apply at the next lookup', async () => {
    dns.set('web.shop.test', [
      { type: 'A', address: '10.0.0.1' },
      { type: 'A', address: '10.0.0.2' },
    ]);
    dns.set('api.shop.test', [{ type: 'A', address: '10.0.1.1' }]);
    const { probe, mechanism } = await discover({ names: ['web.shop.test', 'api.shop.test'], type: 'A', port: 7777 });
    await probe.untilAddresses(['10.0.0.1:7777', '10.0.0.2:7777', '10.0.1.1:7777']);
    expect(probe.latest!.map((g) => g.labels)).toEqual([{ __meta_dns_name: 'web.shop.test' }, { __meta_dns_name: 'api.shop.test' }]);

    dns.set('web.shop.test', [{ type: 'A', address: '10.0.0.3' }]);
    await mechanism.refresh();
    await probe.untilAddresses(['10.0.0.3:7777', '10.0.1.1:7777']);

    dns.records.delete('web.shop.test'); // NXDOMAIN: the name's targets are gone
    dns.set('api.shop.test', [{ type: 'AAAA', address: '::1' }]); // NOERROR, but no A record
    await mechanism.refresh();
    await probe.untilAddresses([]);
    expect(logs.matching(/ERROR/)).toEqual([]);
  });

  it('a failing lookup (SERVFAIL) keeps the last targets of that name and is logged once', async () => {
    dns.set('web.shop.test', [{ type: 'A', address: '10.0.0.1' }]);
    dns.set('api.shop.test', [{ type: 'A', address: '10.0.1.1' }]);
    const { probe, mechanism } = await discover({ names: ['web.shop.test', 'api.shop.test'], type: 'A', port: 80 });
    await probe.untilAddresses(['10.0.0.1:80', '10.0.1.1:80']);

    dns.failing.add('web.shop.test');
    dns.set('api.shop.test', [{ type: 'A', address: '10.0.1.2' }]);
    await mechanism.refresh();
    await mechanism.refresh();
    await probe.untilAddresses(['10.0.0.1:80', '10.0.1.2:80']);
    expect(logs.matching(/web\.shop\.test/)).toEqual([
      expect.stringMatching(/^ERROR service "shop": dns_sd_configs\[0\]: A lookup of web\.shop\.test failed: .*SERVFAIL.* \(keeping its last targets\)$/),
    ]);

    dns.failing.delete('web.shop.test');
    dns.set('web.shop.test', [{ type: 'A', address: '10.0.0.9' }]);
    await mechanism.refresh();
    await probe.untilAddresses(['10.0.0.9:80', '10.0.1.2:80']);
    expect(logs.matching(/web\.shop\.test resolves again/)).toHaveLength(1);
  });

  it('AAAA, MX and NS', async () => {
    dns.set('v6.shop.test', [{ type: 'AAAA', address: 'fd00::1' }]);
    dns.set('mail.shop.test', [{ type: 'MX', exchange: 'mx1.shop.test' }]);
    dns.set('zone.shop.test', [{ type: 'NS', host: 'ns1.shop.test' }]);
    const aaaa = await discover({ names: ['v6.shop.test'], type: 'AAAA', port: 9000 });
    const mx = await discover({ names: ['mail.shop.test'], type: 'MX', port: 25 });
    const ns = await discover({ names: ['zone.shop.test'], type: 'NS', port: 53 });
    await aaaa.probe.untilAddresses(['[fd00::1]:9000']);
    await mx.probe.untilAddresses(['mx1.shop.test:25']);
    await ns.probe.untilAddresses(['ns1.shop.test:53']);
    expect(mx.probe.latest![0]!.labels).toEqual({ __meta_dns_name: 'mail.shop.test', __meta_dns_mx_record_target: 'mx1.shop.test.' });
    expect(ns.probe.latest![0]!.labels).toEqual({ __meta_dns_name: 'zone.shop.test', __meta_dns_ns_record_target: 'ns1.shop.test.' });
  });

  it('looks up again every refresh_interval', async () => {
    dns.set('web.shop.test', [{ type: 'A', address: '10.0.0.1' }]);
    const { probe } = await discover({ names: ['web.shop.test'], type: 'A', port: 80, refreshIntervalMs: 50 });
    await probe.untilAddresses(['10.0.0.1:80']);
    dns.set('web.shop.test', [{ type: 'A', address: '10.0.0.2' }]);
    await probe.untilAddresses(['10.0.0.2:80']);
  });
});
