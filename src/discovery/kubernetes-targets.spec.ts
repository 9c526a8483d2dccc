import { objectGroups, sanitizeLabelName, type KubernetesLookup } from './kubernetes-targets.js';

const NOTHING: KubernetesLookup = { pod: () => undefined, service: () => undefined };

describe('Kubernetes targets', () => {
  it('sanitises label names as Prometheus does', () => {
    expect(sanitizeLabelName('app.kubernetes.io/name')).toBe('app_kubernetes_io_name');
    expect(sanitizeLabelName('prometheus.io/scrape')).toBe('prometheus_io_scrape');
    expect(sanitizeLabelName('9-lives ünicode')).toBe('9_lives__nicode');
  });

  it('pod: IPv6 addresses in brackets, init containers marked, pod_ready unknown without the condition', () => {
    const groups = objectGroups(
      'pod',
      {
        metadata: { name: 'p', namespace: 'ns' },
        spec: { containers: [{ name: 'app', ports: [{ containerPort: 80 }] }], initContainers: [{ name: 'migrate' }] },
        status: { podIP: 'fd00::1' },
      },
      NOTHING,
    );
    expect(groups.map((g) => [g.source, g.targets[0], g.labels.__meta_kubernetes_pod_container_init, g.labels.__meta_kubernetes_pod_ready])).toEqual([
      ['pod/ns/p:0', '[fd00::1]:80', 'false', 'unknown'],
      ['pod/ns/p:1', 'fd00::1', 'true', 'unknown'],
    ]);
  });

  it('service: ExternalName has the external name, LoadBalancer its IP, instead of the cluster IP', () => {
    const [external] = objectGroups(
      'service',
      { metadata: { name: 'ext', namespace: 'ns' }, spec: { type: 'ExternalName', externalName: 'db.example', ports: [{ port: 5432 }] } },
      NOTHING,
    );
    expect(external!.labels).toMatchObject({ __meta_kubernetes_service_type: 'ExternalName', __meta_kubernetes_service_external_name: 'db.example' });
    expect(external!.labels).not.toHaveProperty('__meta_kubernetes_service_cluster_ip');
    const [lb] = objectGroups(
      'service',
      { metadata: { name: 'lb', namespace: 'ns' }, spec: { type: 'LoadBalancer', clusterIP: '10.96.0.2', loadBalancerIP: '1.2.3.4', ports: [{ port: 80 }] } },
      NOTHING,
    );
    expect(lb!.labels).toMatchObject({ __meta_kubernetes_service_cluster_ip: '10.96.0.2', __meta_kubernetes_service_loadbalancer_ip: '1.2.3.4' });
  });

  it('endpoints whose service and pods are unknown still give their addresses', () => {
    const groups = objectGroups(
      'endpoints',
      { metadata: { name: 'e', namespace: 'ns' }, subsets: [{ addresses: [{ ip: '10.0.0.1', targetRef: { kind: 'Pod', name: 'gone' } }], ports: [{ port: 80 }] }] },
      NOTHING,
    );
    expect(groups).toEqual([
      {
        source: 'endpoints/ns/e:0',
        targets: ['10.0.0.1:80'],
        labels: {
          __meta_kubernetes_namespace: 'ns',
          __meta_kubernetes_endpoints_name: 'e',
          __meta_kubernetes_endpoint_ready: 'true',
          __meta_kubernetes_endpoint_address_target_kind: 'Pod',
          __meta_kubernetes_endpoint_address_target_name: 'gone',
        },
      },
    ]);
  });

  it('endpointslice: a port without a number gives the bare address', () => {
    const groups = objectGroups('endpointslice', { metadata: { name: 's', namespace: 'ns' }, addressType: 'IPv6', endpoints: [{ addresses: ['fd00::2'] }], ports: [{}] }, NOTHING);
    expect(groups.map((g) => g.targets[0])).toEqual(['fd00::2']);
  });

  it('node: no address, no target; the preferred address type otherwise', () => {
    expect(objectGroups('node', { metadata: { name: 'n' }, status: { addresses: [] } }, NOTHING)).toEqual([]);
    const [node] = objectGroups(
      'node',
      { metadata: { name: 'n' }, status: { addresses: [{ type: 'ExternalIP', address: '1.2.3.4' }, { type: 'InternalDNS', address: 'n.internal' }], daemonEndpoints: { kubeletEndpoint: { Port: 10250 } } } },
      NOTHING,
    );
    expect(node!.targets).toEqual(['n.internal:10250']);
  });

  it('ingress: http for hosts without TLS, "/" for a rule without paths', () => {
    const groups = objectGroups('ingress', { metadata: { name: 'i', namespace: 'ns' }, spec: { rules: [{ host: 'a.example' }] } }, NOTHING);
    expect(groups.map((g) => [g.targets[0], g.labels.__meta_kubernetes_ingress_scheme, g.labels.__meta_kubernetes_ingress_path])).toEqual([['a.example', 'http', '/']]);
  });
});
