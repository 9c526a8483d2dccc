// kubernetes_sd_configs against a local server that speaks the Kubernetes API (list, and watch
// as a stream of newline-delimited events), configured the way a prometheus.yml does it.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import type { KubernetesSdConfig } from '../src/config/config.types.js';
import { parseKubernetesSdConfig } from '../src/config/sd-config.js';
import { parseServiceConfig } from '../src/config/service-config.js';
import { YamlNode } from '../src/config/yaml-node.js';
import { finalTargets } from '../src/discovery/final-targets.js';
import { kubernetesConnection } from '../src/discovery/kubernetes-connection.js';
import { KubernetesDiscovery, type KubernetesDiscoveryOptions } from '../src/discovery/kubernetes-discovery.js';
import { relabelWith } from '../src/discovery/relabel.js';
import { DiscoveryProbe, LogCapture } from './support/discovery-probe.js';
import { FakeKubernetes, type FakeObject } from './support/fake-kubernetes.js';
import { SD_TEST_CERTIFICATE, SD_TEST_KEY } from './support/test-certificate.js';
import { waitFor } from './support/wait-for.js';

const TOKEN = 'k8s-t0k3n';
const FAST: KubernetesDiscoveryOptions = { backoffMs: 20, maxBackoffMs: 100 };

interface PodSpec {
  namespace?: string;
  ip?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  containers?: { name: string; image?: string; ports?: { name?: string; containerPort: number; protocol?: string }[] }[];
  ready?: boolean;
}

function pod(name: string, spec: PodSpec = {}): FakeObject {
  return {
    metadata: {
      name,
      namespace: spec.namespace ?? 'shop',
      uid: `uid-${name}`,
      ...(spec.labels ? { labels: spec.labels } : {}),
      ...(spec.annotations ? { annotations: spec.annotations } : {}),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'checkout-5d8f', controller: true }],
    },
    spec: {
      nodeName: 'node-1',
      containers: spec.containers ?? [{ name: 'app', image: 'checkout:1.2', ports: spec.ports ?? [{ name: 'http', containerPort: 7777, protocol: 'TCP' }] }],
    },
    status: {
      phase: 'Running',
      hostIP: '10.0.0.1',
      ...(spec.ip === '' ? {} : { podIP: spec.ip ?? '10.1.0.1' }),
      conditions: [{ type: 'Ready', status: spec.ready === false ? 'False' : 'True' }],
      containerStatuses: [{ name: 'app', containerID: 'containerd://abc' }],
    },
  };
}

function service(name: string, ports: { name?: string; port: number; protocol?: string }[], namespace = 'shop'): FakeObject {
  return {
    metadata: { name, namespace, labels: { app: name }, annotations: { 'prometheus.io/scheme': 'http' } },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', ports },
  };
}

describe('kubernetes_sd_configs', () => {
  let api: FakeKubernetes;
  let dir: string;
  let logs: LogCapture;
  const probes: DiscoveryProbe[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'periskop-k8s-sd-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    logs = new LogCapture();
    api = await new FakeKubernetes({ token: TOKEN }).start();
  });
  afterEach(async () => {
    await Promise.all(probes.splice(0).map((p) => p.stop()));
    await api.stop();
    logs.restore();
  });

  function parse(yaml: string): KubernetesSdConfig {
    return parseKubernetesSdConfig(new YamlNode(load(yaml.replaceAll('API', api.url).replaceAll('DIR', dir)), 'test.yaml', 'kubernetes_sd_configs[0]'));
  }

  async function discover(yaml: string, options: KubernetesDiscoveryOptions = FAST): Promise<DiscoveryProbe> {
    const probe = await new DiscoveryProbe(new KubernetesDiscovery(parse(yaml), 0, 'shop', options)).start();
    probes.push(probe);
    return probe;
  }

  const POD_YAML = `{role: pod, api_server: "API", bearer_token: ${TOKEN}}`;

  it('role pod: one target per container port, the pod IP alone without ports, and Prometheus meta labels', async () => {
    api.add('pods', pod('checkout-1', { labels: { app: 'checkout', 'app.kubernetes.io/part-of': 'shop' }, annotations: { 'prometheus.io/scrape': 'true' } }));
    api.add('pods', pod('worker-1', { ip: '10.1.0.2', containers: [{ name: 'worker', image: 'worker:3' }] }));
    api.add('pods', pod('pending-1', { ip: '' }));
    api.add('pods', pod('multi-1', { ip: '10.1.0.3', ports: [{ name: 'http', containerPort: 80 }, { name: 'errors', containerPort: 7777, protocol: 'TCP' }] }));
    const probe = await discover(POD_YAML);
    await probe.untilAddresses(['10.1.0.1:7777', '10.1.0.2', '10.1.0.3:80', '10.1.0.3:7777']);
    expect(probe.latest![0]).toEqual({
      source: 'pod/shop/checkout-1:0',
      targets: ['10.1.0.1:7777'],
      labels: {
        __meta_kubernetes_pod_ip: '10.1.0.1',
        __meta_kubernetes_pod_ready: 'true',
        __meta_kubernetes_pod_phase: 'Running',
        __meta_kubernetes_pod_node_name: 'node-1',
        __meta_kubernetes_pod_host_ip: '10.0.0.1',
        __meta_kubernetes_pod_uid: 'uid-checkout-1',
        __meta_kubernetes_pod_controller_kind: 'ReplicaSet',
        __meta_kubernetes_pod_controller_name: 'checkout-5d8f',
        __meta_kubernetes_pod_name: 'checkout-1',
        __meta_kubernetes_pod_label_app: 'checkout',
        __meta_kubernetes_pod_labelpresent_app: 'true',
        __meta_kubernetes_pod_label_app_kubernetes_io_part_of: 'shop',
        __meta_kubernetes_pod_labelpresent_app_kubernetes_io_part_of: 'true',
        __meta_kubernetes_pod_annotation_prometheus_io_scrape: 'true',
        __meta_kubernetes_pod_annotationpresent_prometheus_io_scrape: 'true',
        __meta_kubernetes_namespace: 'shop',
        __meta_kubernetes_pod_container_name: 'app',
        __meta_kubernetes_pod_container_id: 'containerd://abc',
        __meta_kubernetes_pod_container_image: 'checkout:1.2',
        __meta_kubernetes_pod_container_init: 'false',
        __meta_kubernetes_pod_container_port_number: '7777',
        __meta_kubernetes_pod_container_port_name: 'http',
        __meta_kubernetes_pod_container_port_protocol: 'TCP',
      },
    });
    const worker = probe.latest!.find((g) => g.targets[0] === '10.1.0.2')!;
    expect(worker.labels).toMatchObject({ __meta_kubernetes_pod_container_name: 'worker', __meta_kubernetes_pod_container_image: 'worker:3' });
    expect(worker.labels).not.toHaveProperty('__meta_kubernetes_pod_container_port_number');
    // Every request carries the token; the watch starts from the list's resourceVersion.
    expect(api.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    const [list] = api.requestsOf('pods', 'list');
    expect(list!.path).toBe('/api/v1/pods');
    await waitFor(() => api.watching('pods') === 1, 5_000, 'the pod watch');
    expect(api.requestsOf('pods', 'watch')[0]!.query).toMatchObject({ watch: '1', allowWatchBookmarks: 'true', resourceVersion: '1004' });
  });

  it('follows the watch: an added pod appears, a changed one changes, a deleted one disappears', async () => {
    api.add('pods', pod('checkout-1'));
    const probe = await discover(POD_YAML);
    await probe.untilAddresses(['10.1.0.1:7777']);
    await waitFor(() => api.watching('pods') === 1, 5_000, 'the pod watch');
    const lists = api.requestsOf('pods', 'list').length;

    api.add('pods', pod('checkout-2', { ip: '10.1.0.2' }));
    await probe.untilAddresses(['10.1.0.1:7777', '10.1.0.2:7777']);
    api.modify('pods', pod('checkout-2', { ip: '10.1.0.2', ready: false }));
    await probe.until((groups) => groups.some((g) => g.labels.__meta_kubernetes_pod_ready === 'false'), 'pod not ready');
    api.delete('pods', 'shop', 'checkout-1');
    await probe.untilAddresses(['10.1.0.2:7777']);
    // All of it through the one watch: no second list.
    expect(api.requestsOf('pods', 'list')).toHaveLength(lists);
  });

  it('opens the watch again where it stopped, and lists again after 410 Gone', async () => {
    api.add('pods', pod('checkout-1'));
    const probe = await discover(POD_YAML);
    await probe.untilAddresses(['10.1.0.1:7777']);
    await waitFor(() => api.watching('pods') === 1, 5_000, 'the pod watch');

    // The server ends the watch (timeoutSeconds): it is opened again from the last version seen.
    api.bookmark();
    api.closeWatches();
    await waitFor(() => api.watching('pods') === 1, 5_000, 'the pod watch again');
    expect(api.requestsOf('pods', 'watch').at(-1)!.query.resourceVersion).toBe('1001');
    expect(api.requestsOf('pods', 'list')).toHaveLength(1);

    // History compacted while nobody watched: the watch gets 410, the informer lists again and
    // sees what changed meanwhile.
    api.closeWatches();
    api.delete('pods', 'shop', 'checkout-1');
    api.add('pods', pod('checkout-2', { ip: '10.1.0.2' }));
    api.compact();
    await probe.untilAddresses(['10.1.0.2:7777']);
    expect(api.requestsOf('pods', 'list').length).toBeGreaterThanOrEqual(2);

    // An ERROR event with code 410 in an open watch does the same.
    await waitFor(() => api.watching('pods') === 1, 5_000, 'the pod watch after relisting');
    api.compact();
    api.expireWatches();
    api.add('pods', pod('checkout-3', { ip: '10.1.0.3' }));
    await probe.untilAddresses(['10.1.0.2:7777', '10.1.0.3:7777']);
    expect(logs.matching(/ERROR/)).toEqual([]);
  });

  it('keeps the last known targets while the API server fails, logs the problem once, and recovers', async () => {
    api.add('pods', pod('checkout-1'));
    const probe = await discover(POD_YAML);
    await probe.untilAddresses(['10.1.0.1:7777']);
    await waitFor(() => api.watching('pods') === 1, 5_000, 'the pod watch');
    const reports = probe.reports.length;

    // The watch expires, so the informer must list again, and listing fails for a while.
    api.compact();
    for (let i = 0; i < 3; i++) api.failures.push({ status: 500, body: JSON.stringify({ kind: 'Status', message: 'etcdserver: request timed out', code: 500 }) });
    api.expireWatches();
    api.add('pods', pod('checkout-2', { ip: '10.1.0.2' }));
    await probe.untilAddresses(['10.1.0.1:7777', '10.1.0.2:7777']);
    expect(probe.reports.length).toBe(reports + 1); // nothing lost in between
    expect(logs.matching(/etcdserver/)).toEqual([
      `ERROR service "shop": kubernetes_sd_configs[0]: ${api.url}: pods: server returned HTTP status 500: etcdserver: request timed out (keeping the last known targets)`,
    ]);
    expect(logs.matching(/answers again/)).toEqual(['LOG service "shop": kubernetes_sd_configs[0]: pods: the API server answers again']);
  });

  it('a refused token is a failure with no targets yet', async () => {
    api.add('pods', pod('checkout-1'));
    const probe = await discover(`{role: pod, api_server: "API", authorization: {credentials: wrong}}`);
    await waitFor(() => logs.matching(/HTTP status 401: Unauthorized \(no targets from it until it answers\)/).length === 1, 5_000, 'the 401 logged');
    expect(probe.reports).toEqual([]);
  });

  it('relabeling: the usual prometheus.io/scrape keep rule and port annotation', async () => {
    api.add('pods', pod('checkout-1', { annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '7778', 'prometheus.io/path': '/-/errors' }, labels: { app: 'checkout' } }));
    api.add('pods', pod('db-1', { ip: '10.1.0.9', labels: { app: 'db' } }));
    const config = parseServiceConfig(
      new YamlNode(
        load(`
name: shop
kubernetes_sd_configs:
- role: pod
  api_server: ${api.url}
  bearer_token: ${TOKEN}
relabel_configs:
- source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]
  action: keep
  regex: true
- source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_path]
  action: replace
  target_label: __metrics_path__
  regex: (.+)
- source_labels: [__address__, __meta_kubernetes_pod_annotation_prometheus_io_port]
  action: replace
  regex: ([^:]+)(?::\\d+)?;(\\d+)
  replacement: $1:$2
  target_label: __address__
- action: labelmap
  regex: __meta_kubernetes_pod_label_(.+)
- source_labels: [__meta_kubernetes_namespace]
  target_label: kubernetes_namespace
- source_labels: [__meta_kubernetes_pod_name]
  target_label: kubernetes_pod_name
`),
        'test.yaml',
        'services[0]',
      ),
    );
    const probe = await new DiscoveryProbe(new KubernetesDiscovery(config.kubernetesSdConfigs![0]!, 0, 'shop', FAST)).start();
    probes.push(probe);
    await probe.untilAddresses(['10.1.0.1:7777', '10.1.0.9:7777']);
    expect(finalTargets(probe.latest!, config.scraper, relabelWith(config.relabelConfigs))).toEqual([
      {
        address: '10.1.0.1:7778',
        url: 'http://10.1.0.1:7778/-/errors',
        labels: { app: 'checkout', kubernetes_namespace: 'shop', kubernetes_pod_name: 'checkout-1' },
      },
    ]);
  });

  it('passes selectors as labelSelector and fieldSelector, and watches only the configured namespaces', async () => {
    api.add('pods', pod('checkout-1', { labels: { app: 'checkout' } }));
    api.add('pods', pod('db-1', { ip: '10.1.0.2', labels: { app: 'db' } }));
    api.add('pods', pod('checkout-9', { ip: '10.2.0.1', namespace: 'staging', labels: { app: 'checkout' } }));
    api.add('pods', pod('checkout-x', { ip: '10.3.0.1', namespace: 'other', labels: { app: 'checkout' } }));
    const probe = await discover(`
      role: pod
      api_server: API
      bearer_token: ${TOKEN}
      namespaces: {names: [shop, staging]}
      selectors: [{role: pod, label: "app in (checkout)", field: "status.phase=Running"}]`);
    await probe.untilAddresses(['10.1.0.1:7777', '10.2.0.1:7777']);
    expect(api.requestsOf('pods', 'list').map((r) => [r.path, r.query.labelSelector, r.query.fieldSelector]).sort()).toEqual([
      ['/api/v1/namespaces/shop/pods', 'app in (checkout)', 'status.phase=Running'],
      ['/api/v1/namespaces/staging/pods', 'app in (checkout)', 'status.phase=Running'],
    ]);
    // A pod that stops matching the selector leaves; one that starts matching comes.
    await waitFor(() => api.watching('pods') === 2, 5_000, 'both watches');
    api.modify('pods', pod('checkout-1', { labels: { app: 'retired' } }));
    api.modify('pods', pod('db-1', { ip: '10.1.0.2', labels: { app: 'checkout' } }));
    await probe.untilAddresses(['10.1.0.2:7777', '10.2.0.1:7777']);
  });

  it('role service: one target per port, <service>.<namespace>.svc:<port>', async () => {
    api.add('services', service('checkout', [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'errors', port: 7777, protocol: 'TCP' }]));
    const probe = await discover(`{role: service, api_server: "API", bearer_token: ${TOKEN}}`);
    await probe.untilAddresses(['checkout.shop.svc:80', 'checkout.shop.svc:7777']);
    expect(probe.latest![1]).toEqual({
      source: 'svc/shop/checkout:1',
      targets: ['checkout.shop.svc:7777'],
      labels: {
        __meta_kubernetes_namespace: 'shop',
        __meta_kubernetes_service_name: 'checkout',
        __meta_kubernetes_service_label_app: 'checkout',
        __meta_kubernetes_service_labelpresent_app: 'true',
        __meta_kubernetes_service_annotation_prometheus_io_scheme: 'http',
        __meta_kubernetes_service_annotationpresent_prometheus_io_scheme: 'true',
        __meta_kubernetes_service_port_name: 'errors',
        __meta_kubernetes_service_port_number: '7777',
        __meta_kubernetes_service_port_protocol: 'TCP',
        __meta_kubernetes_service_type: 'ClusterIP',
        __meta_kubernetes_service_cluster_ip: '10.96.0.10',
      },
    });
  });

  it('role endpoints: address × port, with the pod and service labels, and container ports no endpoint covers', async () => {
    api.add('services', service('checkout', [{ name: 'errors', port: 7777 }]));
    api.add('pods', pod('checkout-1', { ports: [{ name: 'errors', containerPort: 7777, protocol: 'TCP' }, { name: 'admin', containerPort: 9000, protocol: 'TCP' }] }));
    api.add('endpoints', {
      metadata: { name: 'checkout', namespace: 'shop', labels: { app: 'checkout' } },
      subsets: [
        {
          addresses: [{ ip: '10.1.0.1', nodeName: 'node-1', targetRef: { kind: 'Pod', name: 'checkout-1', namespace: 'shop' } }],
          notReadyAddresses: [{ ip: '10.1.0.5', hostname: 'checkout-5' }],
          ports: [{ name: 'errors', port: 7777, protocol: 'TCP' }],
        },
      ],
    });
    const probe = await discover(`{role: endpoints, api_server: "API", bearer_token: ${TOKEN}}`);
    await probe.untilAddresses(['10.1.0.1:7777', '10.1.0.5:7777', '10.1.0.1:9000']);
    const [ready, notReady, uncovered] = probe.latest!;
    expect(ready!.labels).toMatchObject({
      __meta_kubernetes_namespace: 'shop',
      __meta_kubernetes_service_name: 'checkout',
      __meta_kubernetes_endpoints_name: 'checkout',
      __meta_kubernetes_endpoints_label_app: 'checkout',
      __meta_kubernetes_endpoint_port_name: 'errors',
      __meta_kubernetes_endpoint_port_protocol: 'TCP',
      __meta_kubernetes_endpoint_ready: 'true',
      __meta_kubernetes_endpoint_address_target_kind: 'Pod',
      __meta_kubernetes_endpoint_address_target_name: 'checkout-1',
      __meta_kubernetes_endpoint_node_name: 'node-1',
      __meta_kubernetes_pod_name: 'checkout-1',
      __meta_kubernetes_pod_container_name: 'app',
      __meta_kubernetes_pod_container_port_name: 'errors',
      __meta_kubernetes_pod_container_port_number: '7777',
    });
    expect(notReady!.labels).toMatchObject({ __meta_kubernetes_endpoint_ready: 'false', __meta_kubernetes_endpoint_hostname: 'checkout-5' });
    expect(notReady!.labels).not.toHaveProperty('__meta_kubernetes_pod_name');
    expect(uncovered!.labels).toMatchObject({ __meta_kubernetes_pod_container_port_name: 'admin', __meta_kubernetes_service_name: 'checkout' });
    expect(uncovered!.labels).not.toHaveProperty('__meta_kubernetes_endpoint_port_name');
    // A change of the service shows in the endpoints' targets.
    await waitFor(() => api.watching() === 3, 5_000, 'the three watches');
    api.modify('services', { ...service('checkout', [{ name: 'errors', port: 7777 }]), metadata: { name: 'checkout', namespace: 'shop', labels: { app: 'checkout', tier: 'web' } } });
    await probe.until((groups) => groups[0]!.labels.__meta_kubernetes_service_label_tier === 'web', 'the service label');
  });

  it('role endpointslice: Prometheus endpointslice labels, with pod and service', async () => {
    api.add('services', service('checkout', [{ name: 'errors', port: 7777 }]));
    api.add('pods', pod('checkout-1'));
    api.add('endpointslices', {
      metadata: { name: 'checkout-abc', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'checkout' } },
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.1.0.1'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-1', zone: 'eu-1a', targetRef: { kind: 'Pod', name: 'checkout-1', namespace: 'shop' } },
      ],
      ports: [{ name: 'errors', port: 7777, protocol: 'TCP', appProtocol: 'http' }],
    });
    const probe = await discover(`{role: endpointslice, api_server: "API", bearer_token: ${TOKEN}}`);
    await probe.untilAddresses(['10.1.0.1:7777']);
    expect(probe.latest![0]!.labels).toMatchObject({
      __meta_kubernetes_namespace: 'shop',
      __meta_kubernetes_endpointslice_name: 'checkout-abc',
      __meta_kubernetes_endpointslice_address_type: 'IPv4',
      __meta_kubernetes_endpointslice_label_kubernetes_io_service_name: 'checkout',
      __meta_kubernetes_service_name: 'checkout',
      __meta_kubernetes_endpointslice_port: '7777',
      __meta_kubernetes_endpointslice_port_name: 'errors',
      __meta_kubernetes_endpointslice_port_protocol: 'TCP',
      __meta_kubernetes_endpointslice_port_app_protocol: 'http',
      __meta_kubernetes_endpointslice_endpoint_conditions_ready: 'true',
      __meta_kubernetes_endpointslice_endpoint_conditions_serving: 'true',
      __meta_kubernetes_endpointslice_endpoint_conditions_terminating: 'false',
      __meta_kubernetes_endpointslice_endpoint_node_name: 'node-1',
      __meta_kubernetes_endpointslice_endpoint_zone: 'eu-1a',
      __meta_kubernetes_endpointslice_address_target_kind: 'Pod',
      __meta_kubernetes_endpointslice_address_target_name: 'checkout-1',
      __meta_kubernetes_pod_name: 'checkout-1',
      __meta_kubernetes_pod_container_port_name: 'http',
    });
    expect(api.requestsOf('endpointslices', 'list')[0]!.path).toBe('/apis/discovery.k8s.io/v1/endpointslices');
  });

  it('role node and role ingress', async () => {
    api.add('nodes', {
      metadata: { name: 'node-1', labels: { 'topology.kubernetes.io/zone': 'eu-1a' } },
      spec: { providerID: 'aws:///eu-1a/i-1' },
      status: { addresses: [{ type: 'Hostname', address: 'node-1' }, { type: 'InternalIP', address: '10.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: 10250 } } },
    });
    api.add('ingresses', {
      metadata: { name: 'shop', namespace: 'shop' },
      spec: { ingressClassName: 'nginx', tls: [{ hosts: ['shop.example'] }], rules: [{ host: 'shop.example', http: { paths: [{ path: '/errors' }, {}] } }] },
    });
    const nodes = await discover(`{role: node, api_server: "API", bearer_token: ${TOKEN}}`);
    await nodes.untilAddresses(['10.0.0.1:10250']);
    expect(nodes.latest![0]!.labels).toEqual({
      __meta_kubernetes_node_provider_id: 'aws:///eu-1a/i-1',
      __meta_kubernetes_node_name: 'node-1',
      __meta_kubernetes_node_label_topology_kubernetes_io_zone: 'eu-1a',
      __meta_kubernetes_node_labelpresent_topology_kubernetes_io_zone: 'true',
      instance: 'node-1',
      __meta_kubernetes_node_address_Hostname: 'node-1',
      __meta_kubernetes_node_address_InternalIP: '10.0.0.1',
    });
    const ingresses = await discover(`{role: ingress, api_server: "API", bearer_token: ${TOKEN}}`);
    await ingresses.untilAddresses(['shop.example', 'shop.example']);
    expect(ingresses.latest!.map((g) => [g.labels.__meta_kubernetes_ingress_scheme, g.labels.__meta_kubernetes_ingress_path, g.labels.__meta_kubernetes_ingress_class_name])).toEqual([
      ['https', '/errors', 'nginx'],
      ['https', '/', 'nginx'],
    ]);
  });

  it('attach_metadata: node adds the node labels to pod targets', async () => {
    api.add('nodes', { metadata: { name: 'node-1', labels: { zone: 'eu-1a' } }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } });
    api.add('pods', pod('checkout-1'));
    const probe = await discover(`{role: pod, api_server: "API", bearer_token: ${TOKEN}, attach_metadata: {node: true}}`);
    await probe.untilAddresses(['10.1.0.1:7777']);
    expect(probe.latest![0]!.labels).toMatchObject({ __meta_kubernetes_node_name: 'node-1', __meta_kubernetes_node_label_zone: 'eu-1a' });
  });

  it('kubeconfig_file: the current context over https, trusting its CA, with its token', async () => {
    const secure = await new FakeKubernetes({ token: 'from-kubeconfig', tls: { cert: SD_TEST_CERTIFICATE, key: SD_TEST_KEY } }).start();
    try {
      secure.add('pods', pod('checkout-1'));
      await writeFile(join(dir, 'token'), 'from-kubeconfig\n');
      await writeFile(
        join(dir, 'kubeconfig.yaml'),
        `apiVersion: v1
kind: Config
current-context: test
contexts:
- name: other
  context: {cluster: nowhere, user: nobody}
- name: test
  context: {cluster: local, user: periskop}
clusters:
- name: local
  cluster:
    server: ${secure.url}
    certificate-authority-data: ${Buffer.from(SD_TEST_CERTIFICATE).toString('base64')}
    tls-server-name: sd.test
users:
- name: periskop
  user: {tokenFile: token}
`,
      );
      const probe = await discover('{role: pod, kubeconfig_file: DIR/kubeconfig.yaml}');
      await probe.untilAddresses(['10.1.0.1:7777']);
    } finally {
      await Promise.all(probes.splice(0).map((p) => p.stop()));
      await secure.stop();
    }
  });

  it('in cluster: KUBERNETES_SERVICE_HOST/PORT, the service account token, CA and namespace', async () => {
    const account = join(dir, 'serviceaccount');
    await rm(account, { recursive: true, force: true });
    await mkdir(account);
    await writeFile(join(account, 'token'), 'sa-token\n');
    await writeFile(join(account, 'ca.crt'), SD_TEST_CERTIFICATE);
    await writeFile(join(account, 'namespace'), 'shop');
    const environment = { env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, serviceAccountDir: account };
    const connection = await kubernetesConnection(parse('{role: pod, namespaces: {own_namespace: true, names: [staging]}}'), environment);
    expect(connection.server.toString()).toBe('https://10.96.0.1/');
    expect(connection.ownNamespace).toBe('shop');
    expect(await connection.headers()).toEqual({ Authorization: 'Bearer sa-token' });
    expect(await connection.tlsOptions()).toMatchObject({ ca: SD_TEST_CERTIFICATE.trim() });

    // Outside a cluster: said once, and no targets.
    const probe = await discover('{role: pod}', { ...FAST, environment: { env: {}, serviceAccountDir: account } });
    await waitFor(() => logs.matching(/not running in a Kubernetes cluster/).length > 0, 5_000, 'the problem logged');
    expect(logs.matching(/not running in a Kubernetes cluster/)).toEqual([
      'ERROR service "shop": kubernetes_sd_configs[0]: not running in a Kubernetes cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set (set api_server or kubeconfig_file) (no targets from it until this is fixed)',
    ]);
    expect(probe.reports).toEqual([]);
  });
});
