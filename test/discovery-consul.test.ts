// consul_sd_configs against a local server that speaks Consul's HTTP API with blocking queries.

import { load } from 'js-yaml';
import { parseConsulSdConfig } from '../src/config/sd-config.js';
import { YamlNode } from '../src/config/yaml-node.js';
import { ConsulDiscovery, type ConsulDiscoveryOptions } from '../src/discovery/consul-discovery.js';
import { DiscoveryProbe, LogCapture } from './support/discovery-probe.js';
import { FakeConsul, type ConsulInstance } from './support/fake-consul.js';
import { waitFor } from './support/wait-for.js';

const FAST: ConsulDiscoveryOptions = { backoffMs: 20, maxBackoffMs: 100 };

const checkout = (n: number, extra: Partial<ConsulInstance> = {}): ConsulInstance => ({
  node: `node-${n}`,
  address: `10.0.0.${n}`,
  service: 'checkout',
  id: `checkout-${n}`,
  port: 7777,
  tags: ['errors', 'v2'],
  ...extra,
});

describe('consul_sd_configs', () => {
  let consul: FakeConsul;
  let logs: LogCapture;
  const probes: DiscoveryProbe[] = [];

  beforeEach(async () => {
    logs = new LogCapture();
    consul = await new FakeConsul().start();
  });
  afterEach(async () => {
    await Promise.all(probes.splice(0).map((p) => p.stop()));
    await consul.stop();
    logs.restore();
  });

  async function discover(yaml: string, options: ConsulDiscoveryOptions = FAST): Promise<DiscoveryProbe> {
    const config = parseConsulSdConfig(new YamlNode(load(yaml.replaceAll('SERVER', consul.url)), 'test.yaml', 'consul_sd_configs[0]'));
    const probe = await new DiscoveryProbe(new ConsulDiscovery(config, 0, 'shop', options)).start();
    probes.push(probe);
    return probe;
  }

  it('every service of the catalog, with Prometheus consul meta labels', async () => {
    consul.register(
      checkout(1, {
        serviceAddress: '10.1.0.1',
        meta: { version: '1.2', 'git-sha': 'abc' },
        nodeMeta: { rack: 'r1' },
        taggedAddresses: { lan: '10.0.0.1', wan: '1.2.3.4' },
        checks: [
          { CheckID: 'serfHealth', Status: 'passing' },
          { CheckID: 'service:checkout-1', Status: 'warning' },
        ],
      }),
    );
    consul.register({ node: 'node-2', address: 'db.internal', service: 'db', port: 5432 });
    const probe = await discover('{server: SERVER}');
    await probe.untilAddresses(['10.1.0.1:7777', 'db.internal:5432']);
    expect(probe.latest).toEqual([
      {
        source: 'checkout:0',
        targets: ['10.1.0.1:7777'],
        labels: {
          __meta_consul_service: 'checkout',
          __meta_consul_dc: 'dc1',
          __meta_consul_address: '10.0.0.1',
          __meta_consul_node: 'node-1',
          __meta_consul_tags: ',errors,v2,',
          __meta_consul_service_address: '10.1.0.1',
          __meta_consul_service_port: '7777',
          __meta_consul_service_id: 'checkout-1',
          __meta_consul_health: 'warning',
          __meta_consul_metadata_rack: 'r1',
          __meta_consul_service_metadata_version: '1.2',
          __meta_consul_service_metadata_git_sha: 'abc',
          __meta_consul_tagged_address_lan: '10.0.0.1',
          __meta_consul_tagged_address_wan: '1.2.3.4',
        },
      },
      {
        source: 'db:0',
        targets: ['db.internal:5432'], // no service address: the node's
        labels: {
          __meta_consul_service: 'db',
          __meta_consul_dc: 'dc1',
          __meta_consul_address: 'db.internal',
          __meta_consul_node: 'node-2',
          __meta_consul_tags: ',,',
          __meta_consul_service_port: '5432',
          __meta_consul_service_id: 'db',
          __meta_consul_health: 'passing',
        },
      },
    ]);
    // The datacenter came from the agent; queries allow stale reads by default.
    expect(consul.requestsTo('/v1/agent/self')).toHaveLength(1);
    expect(consul.requestsTo('/v1/health/service/checkout')[0]!.query.get('dc')).toBe('dc1');
    expect(consul.requestsTo('/v1/health/service/checkout')[0]!.query.has('stale')).toBe(true);
  });

  it('blocking queries: a new instance appears at once, not after refresh_interval', async () => {
    consul.register(checkout(1));
    const probe = await discover('{server: SERVER}'); // refresh_interval 30s by default
    await probe.untilAddresses(['10.0.0.1:7777']);
    // The catalog and the service are each waited on with the index of their last answer.
    await waitFor(() => consul.holding === 2, 5_000, 'two blocking queries');
    const blocking = consul.requestsTo('/v1/health/service/checkout').at(-1)!.query;
    expect([blocking.get('index'), blocking.get('wait')]).toEqual([String(consul.index), '120000ms']);

    const started = Date.now();
    consul.register(checkout(2));
    await probe.untilAddresses(['10.0.0.1:7777', '10.0.0.2:7777']);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a change after a quiet refresh_interval is seen at once, and a service gone from the catalog loses its targets', async () => {
    consul.register(checkout(1));
    consul.register({ node: 'node-9', address: '10.0.0.9', service: 'payments', port: 8080 });
    const probe = await discover('{server: SERVER, refresh_interval: 50ms}');
    await probe.untilAddresses(['10.0.0.1:7777', '10.0.0.9:8080']);
    for (let n = 2; n <= 4; n++) {
      consul.register(checkout(n));
      await probe.until((groups) => groups.some((g) => g.targets[0] === `10.0.0.${n}:7777`), `checkout-${n}`);
    }
    consul.deregister('payments');
    await probe.untilAddresses(['10.0.0.1:7777', '10.0.0.2:7777', '10.0.0.3:7777', '10.0.0.4:7777']);
    await waitFor(() => consul.holding === 2, 5_000, 'the payments watch ended');
  });

  it('tags: only instances carrying all of them, and only services that have them are watched', async () => {
    consul.register(checkout(1));
    consul.register(checkout(2, { tags: ['v2'] }));
    consul.register({ node: 'node-3', address: '10.0.0.3', service: 'db', port: 5432, tags: ['v2'] });
    const probe = await discover('{server: SERVER, tags: [errors, v2], tag_separator: "|"}');
    await probe.untilAddresses(['10.0.0.1:7777']);
    expect(probe.latest![0]!.labels.__meta_consul_tags).toBe('|errors|v2|');
    expect(consul.requestsTo('/v1/health/service/checkout')[0]!.query.getAll('tag')).toEqual(['errors', 'v2']);
    expect(consul.requestsTo('/v1/health/service/db')).toEqual([]);
    consul.register(checkout(4, { tags: ['errors', 'v2', 'canary'] }));
    await probe.untilAddresses(['10.0.0.1:7777', '10.0.0.4:7777']);
  });

  it('services without tags: watches the named services, not the catalog; token, datacenter and node_meta go with every query', async () => {
    consul = await (async () => {
      await consul.stop();
      return new FakeConsul('s3cret').start();
    })();
    consul.register(checkout(1, { nodeMeta: { rack: 'r1' } }));
    consul.register(checkout(2, { nodeMeta: { rack: 'r2' } }));
    consul.register({ node: 'node-3', address: '10.0.0.3', service: 'db', port: 5432, nodeMeta: { rack: 'r1' } });
    const probe = await discover('{server: SERVER, services: [checkout, missing], token: s3cret, datacenter: eu-1, node_meta: {rack: r1}, allow_stale: false}');
    await probe.untilAddresses(['10.0.0.1:7777']);
    expect(probe.latest![0]!.labels.__meta_consul_dc).toBe('eu-1');
    expect(consul.requestsTo('/v1/catalog/services')).toEqual([]);
    expect(consul.requestsTo('/v1/agent/self')).toEqual([]);
    const query = consul.requestsTo('/v1/health/service/checkout')[0]!;
    expect([query.token, query.query.get('dc'), query.query.get('node-meta'), query.query.has('stale')]).toEqual(['s3cret', 'eu-1', 'rack:r1', false]);
  });

  it('keeps the last known targets while Consul fails, logs the problem once, and recovers', async () => {
    consul.register(checkout(1));
    const probe = await discover('{server: SERVER, services: [checkout], refresh_interval: 10ms}');
    await probe.untilAddresses(['10.0.0.1:7777']);
    await waitFor(() => consul.holding === 1, 5_000, 'the blocking query');
    const reports = probe.reports.length;
    for (let i = 0; i < 3; i++) consul.failures.push({ status: 500, body: 'rpc error: No cluster leader' });
    consul.register(checkout(2)); // releases the held query; the next ones fail
    await probe.untilAddresses(['10.0.0.1:7777', '10.0.0.2:7777']);
    consul.register(checkout(3));
    await probe.untilAddresses(['10.0.0.1:7777', '10.0.0.2:7777', '10.0.0.3:7777']);
    expect(probe.reports.length).toBeLessThanOrEqual(reports + 2);
    const origin = `http://${consul.url}`;
    expect(logs.matching(/No cluster leader/)).toEqual([
      `ERROR service "shop": consul_sd_configs[0]: ${origin}: service checkout: /v1/health/service/checkout: server returned HTTP status 500: rpc error: No cluster leader (keeping the last known targets)`,
    ]);
    expect(logs.matching(/answers again/)).toEqual([`LOG service "shop": consul_sd_configs[0]: ${origin}: service checkout: Consul answers again`]);
  });

  it('an unreachable agent: the datacenter lookup is retried, with no targets until it answers', async () => {
    consul.register(checkout(1));
    for (let i = 0; i < 2; i++) consul.failures.push({ status: 503, body: 'agent starting' });
    const probe = await discover('{server: SERVER, path_prefix: ""}');
    await probe.untilAddresses(['10.0.0.1:7777']);
    expect(logs.matching(/cannot find the datacenter of the agent: server returned HTTP status 503: agent starting \(no targets from it until it answers\)/)).toHaveLength(1);
    expect(consul.requestsTo('/v1/agent/self')).toHaveLength(3);
  });
});
