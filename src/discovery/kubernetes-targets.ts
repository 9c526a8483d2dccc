// Kubernetes objects to target groups with Prometheus' `__meta_kubernetes_*` labels, role by
// role, as Prometheus' kubernetes discovery builds them (same targets, same labels, same
// label name sanitising). Prometheus gives each object one group with per-target labels;
// here each target is its own group, `<prometheus source>:<index>`, carrying the object's
// labels and its own. Labels whose value would be empty are left out: Prometheus drops
// empty labels when it builds a target, and relabeling reads a missing label as empty.

import { isIPv6 } from 'node:net';
import type { KubernetesRole } from '../config/config.types.js';
import type { KubernetesObject } from './kubernetes-informer.js';
import type { TargetGroup } from './target-group.js';

type Labels = Record<string, string>;

const META = '__meta_kubernetes_';
const NAMESPACE = `${META}namespace`;

interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

interface Container {
  name: string;
  image?: string;
  ports?: ContainerPort[];
}

export interface Pod extends KubernetesObject {
  spec?: { nodeName?: string; containers?: Container[]; initContainers?: Container[] };
  status?: {
    podIP?: string;
    hostIP?: string;
    phase?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { name: string; containerID?: string }[];
    initContainerStatuses?: { name: string; containerID?: string }[];
  };
}

export interface Service extends KubernetesObject {
  spec?: {
    type?: string;
    clusterIP?: string;
    externalName?: string;
    loadBalancerIP?: string;
    ports?: { name?: string; port: number; protocol?: string }[];
  };
}

interface ObjectReference {
  kind?: string;
  name?: string;
  namespace?: string;
}

interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
}

interface EndpointPort {
  name?: string;
  port: number;
  protocol?: string;
}

export interface Endpoints extends KubernetesObject {
  subsets?: { addresses?: EndpointAddress[]; notReadyAddresses?: EndpointAddress[]; ports?: EndpointPort[] }[];
}

interface SliceEndpoint {
  addresses?: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  hostname?: string;
  targetRef?: ObjectReference;
  nodeName?: string;
  zone?: string;
  deprecatedTopology?: Record<string, string>;
}

interface SlicePort {
  name?: string;
  port?: number;
  protocol?: string;
  appProtocol?: string;
}

export interface EndpointSlice extends KubernetesObject {
  addressType?: string;
  endpoints?: SliceEndpoint[];
  ports?: SlicePort[];
}

export interface Node extends KubernetesObject {
  spec?: { providerID?: string };
  status?: { addresses?: { type: string; address: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
}

export interface Ingress extends KubernetesObject {
  spec?: {
    ingressClassName?: string;
    tls?: { hosts?: string[] }[];
    rules?: { host?: string; http?: { paths?: { path?: string }[] } }[];
  };
}

/** What a role's builder may look up besides its own objects. */
export interface KubernetesLookup {
  pod(namespace: string, name: string): Pod | undefined;
  service(namespace: string, name: string): Service | undefined;
  /** Only with attach_metadata.node. */
  node?(name: string): Node | undefined;
  /** Only with attach_metadata.namespace. */
  namespace?(name: string): KubernetesObject | undefined;
}

/** The groups of one object of the role's main kind. */
export function objectGroups(role: KubernetesRole, object: KubernetesObject, lookup: KubernetesLookup): TargetGroup[] {
  switch (role) {
    case 'pod':
      return podGroups(object as Pod, lookup);
    case 'service':
      return serviceGroups(object as Service, lookup);
    case 'endpoints':
      return endpointsGroups(object as Endpoints, lookup);
    case 'endpointslice':
      return endpointSliceGroups(object as EndpointSlice, lookup);
    case 'node':
      return nodeGroups(object as Node);
    case 'ingress':
      return ingressGroups(object as Ingress, lookup);
  }
}

/** Prometheus' strutil.SanitizeLabelName: every character outside [a-zA-Z0-9_] becomes `_`. */
export function sanitizeLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

function podGroups(pod: Pod, lookup: KubernetesLookup): TargetGroup[] {
  const ip = pod.status?.podIP;
  if (!ip) return []; // starting, or evicted
  const common: Labels = { ...podLabels(pod), ...namespaceLabels(pod, lookup) };
  set(common, NAMESPACE, pod.metadata.namespace);
  if (lookup.node) Object.assign(common, nodeMetaLabels(lookup.node, pod.spec?.nodeName));
  const targets: Labels[] = [];
  const containers = pod.spec?.containers ?? [];
  const all = [...containers, ...(pod.spec?.initContainers ?? [])];
  all.forEach((container, i) => {
    const init = i >= containers.length;
    const statuses = (init ? pod.status?.initContainerStatuses : pod.status?.containerStatuses) ?? [];
    const base = labels({
      [`${META}pod_container_name`]: container.name,
      [`${META}pod_container_id`]: statuses.find((s) => s.name === container.name)?.containerID,
      [`${META}pod_container_image`]: container.image,
      [`${META}pod_container_init`]: String(init),
    });
    if (!container.ports?.length) {
      // No port declared: the pod IP alone; relabeling has to add one.
      targets.push({ __address__: ip, ...base });
      return;
    }
    for (const port of container.ports) {
      targets.push({
        __address__: hostPort(ip, port.containerPort),
        ...base,
        ...labels({
          [`${META}pod_container_port_number`]: String(port.containerPort),
          [`${META}pod_container_port_name`]: port.name,
          [`${META}pod_container_port_protocol`]: port.protocol,
        }),
      });
    }
  });
  return groups(`pod/${pod.metadata.namespace}/${pod.metadata.name}`, common, targets);
}

function podLabels(pod: Pod): Labels {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
  const controller = pod.metadata.ownerReferences?.find((o) => o.controller === true);
  return {
    ...labels({
      [`${META}pod_ip`]: pod.status?.podIP,
      [`${META}pod_ready`]: ready.toLowerCase(),
      [`${META}pod_phase`]: pod.status?.phase,
      [`${META}pod_node_name`]: pod.spec?.nodeName,
      [`${META}pod_host_ip`]: pod.status?.hostIP,
      [`${META}pod_uid`]: pod.metadata.uid,
      [`${META}pod_controller_kind`]: controller?.kind,
      [`${META}pod_controller_name`]: controller?.name,
    }),
    ...objectMetaLabels(pod, 'pod'),
  };
}

function serviceGroups(service: Service, lookup: KubernetesLookup): TargetGroup[] {
  const common = { ...serviceLabels(service), ...namespaceLabels(service, lookup) };
  const type = service.spec?.type;
  const targets = (service.spec?.ports ?? []).map((port) =>
    labels({
      __address__: hostPort(`${service.metadata.name}.${service.metadata.namespace}.svc`, port.port),
      [`${META}service_port_name`]: port.name,
      [`${META}service_port_number`]: String(port.port),
      [`${META}service_port_protocol`]: port.protocol,
      [`${META}service_type`]: type,
      ...(type === 'ExternalName'
        ? { [`${META}service_external_name`]: service.spec?.externalName }
        : { [`${META}service_cluster_ip`]: service.spec?.clusterIP }),
      ...(type === 'LoadBalancer' ? { [`${META}service_loadbalancer_ip`]: service.spec?.loadBalancerIP } : {}),
    }),
  );
  return groups(`svc/${service.metadata.namespace}/${service.metadata.name}`, common, targets);
}

function serviceLabels(service: Service): Labels {
  return { ...labels({ [NAMESPACE]: service.metadata.namespace }), ...objectMetaLabels(service, 'service') };
}

function endpointsGroups(endpoints: Endpoints, lookup: KubernetesLookup): TargetGroup[] {
  const namespace = endpoints.metadata.namespace ?? '';
  const service = lookup.service(namespace, endpoints.metadata.name);
  const common: Labels = {
    ...labels({ [NAMESPACE]: namespace }),
    ...(service ? serviceLabels(service) : {}),
    ...objectMetaLabels(endpoints, 'endpoints'),
    ...namespaceLabels(endpoints, lookup),
  };
  const targets: Labels[] = [];
  const seenPods = new Map<string, { pod: Pod; ports: number[] }>();
  const add = (address: EndpointAddress, port: EndpointPort, ready: string): void => {
    const target = labels({
      __address__: hostPort(address.ip, port.port),
      [`${META}endpoint_port_name`]: port.name,
      [`${META}endpoint_port_protocol`]: port.protocol,
      [`${META}endpoint_ready`]: ready,
      [`${META}endpoint_address_target_kind`]: address.targetRef?.kind,
      [`${META}endpoint_address_target_name`]: address.targetRef?.name,
      [`${META}endpoint_node_name`]: address.nodeName,
      [`${META}endpoint_hostname`]: address.hostname,
    });
    if (lookup.node) {
      const node = address.nodeName ?? (address.targetRef?.kind === 'Node' ? address.targetRef.name : undefined);
      Object.assign(target, nodeMetaLabels(lookup.node, node));
    }
    targets.push(withPod(target, address.targetRef, port.port, port.protocol, namespace, lookup, seenPods));
  };
  for (const subset of endpoints.subsets ?? []) {
    for (const port of subset.ports ?? []) {
      for (const address of subset.addresses ?? []) add(address, port, 'true');
      for (const address of subset.notReadyAddresses ?? []) add(address, port, 'false');
    }
  }
  targets.push(...uncoveredContainerPorts(seenPods));
  return groups(`endpoints/${namespace}/${endpoints.metadata.name}`, common, targets);
}

function endpointSliceGroups(slice: EndpointSlice, lookup: KubernetesLookup): TargetGroup[] {
  const namespace = slice.metadata.namespace ?? '';
  const serviceName = slice.metadata.labels?.['kubernetes.io/service-name'];
  const service = serviceName === undefined ? undefined : lookup.service(namespace, serviceName);
  const common: Labels = {
    ...labels({ [NAMESPACE]: namespace, [`${META}endpointslice_address_type`]: slice.addressType }),
    ...objectMetaLabels(slice, 'endpointslice'),
    ...(service ? serviceLabels(service) : {}),
    ...namespaceLabels(slice, lookup),
  };
  const targets: Labels[] = [];
  const seenPods = new Map<string, { pod: Pod; ports: number[] }>();
  for (const endpoint of slice.endpoints ?? []) {
    for (const port of slice.ports ?? []) {
      for (const address of endpoint.addresses ?? []) {
        const conditions = endpoint.conditions ?? {};
        const target = labels({
          __address__: port.port === undefined ? address : hostPort(address, port.port),
          [`${META}endpointslice_port_name`]: port.name,
          [`${META}endpointslice_port_protocol`]: port.protocol,
          [`${META}endpointslice_port`]: port.port === undefined ? undefined : String(port.port),
          [`${META}endpointslice_port_app_protocol`]: port.appProtocol,
          [`${META}endpointslice_endpoint_conditions_ready`]: optionalBoolean(conditions.ready),
          [`${META}endpointslice_endpoint_conditions_serving`]: optionalBoolean(conditions.serving),
          [`${META}endpointslice_endpoint_conditions_terminating`]: optionalBoolean(conditions.terminating),
          [`${META}endpointslice_endpoint_hostname`]: endpoint.hostname,
          [`${META}endpointslice_address_target_kind`]: endpoint.targetRef?.kind,
          [`${META}endpointslice_address_target_name`]: endpoint.targetRef?.name,
          [`${META}endpointslice_endpoint_node_name`]: endpoint.nodeName,
          [`${META}endpointslice_endpoint_zone`]: endpoint.zone,
        });
        for (const [key, value] of Object.entries(endpoint.deprecatedTopology ?? {})) {
          const name = sanitizeLabelName(key);
          set(target, `${META}endpointslice_endpoint_topology_${name}`, value);
          target[`${META}endpointslice_endpoint_topology_present_${name}`] = 'true';
        }
        if (lookup.node) {
          const node = endpoint.targetRef?.kind === 'Node' ? endpoint.targetRef.name : endpoint.nodeName;
          Object.assign(target, nodeMetaLabels(lookup.node, node));
        }
        targets.push(withPod(target, endpoint.targetRef, port.port, undefined, namespace, lookup, seenPods));
      }
    }
  }
  targets.push(...uncoveredContainerPorts(seenPods));
  return groups(`endpointslice/${namespace}/${slice.metadata.name}`, common, targets);
}

/**
 * An endpoint that is a known pod gets the pod's labels and, when a container declares the
 * endpoint's port, that container's. `protocol` overrides the container port's protocol
 * (Prometheus takes the Endpoints port's, but the container port's for EndpointSlices).
 */
function withPod(
  target: Labels,
  ref: ObjectReference | undefined,
  port: number | undefined,
  protocol: string | undefined,
  namespace: string,
  lookup: KubernetesLookup,
  seenPods: Map<string, { pod: Pod; ports: number[] }>,
): Labels {
  if (ref?.kind !== 'Pod' || !ref.name) return target;
  const pod = lookup.pod(ref.namespace ?? namespace, ref.name);
  if (!pod) return target;
  const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
  const seen = seenPods.get(key) ?? { pod, ports: [] };
  seenPods.set(key, seen);
  const result = { ...target, ...podLabels(pod) };
  if (port !== undefined) {
    seen.ports.push(port);
    const match = (pod.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => ({ c, p }))).find(({ p }) => p.containerPort === port);
    if (match) {
      Object.assign(result, containerPortLabels(match.c, match.p, protocol ?? match.p.protocol));
    }
  }
  return result;
}

/** Targets for the container ports of the endpoints' pods that no endpoint port covers. */
function uncoveredContainerPorts(seenPods: Map<string, { pod: Pod; ports: number[] }>): Labels[] {
  const targets: Labels[] = [];
  for (const { pod, ports } of seenPods.values()) {
    const ip = pod.status?.podIP;
    if (!ip) continue;
    for (const container of pod.spec?.containers ?? []) {
      for (const port of container.ports ?? []) {
        if (ports.includes(port.containerPort)) continue;
        targets.push({ __address__: hostPort(ip, port.containerPort), ...containerPortLabels(container, port, port.protocol), ...podLabels(pod) });
      }
    }
  }
  return targets;
}

function containerPortLabels(container: Container, port: ContainerPort, protocol: string | undefined): Labels {
  return labels({
    [`${META}pod_container_name`]: container.name,
    [`${META}pod_container_image`]: container.image,
    [`${META}pod_container_port_name`]: port.name,
    [`${META}pod_container_port_number`]: String(port.containerPort),
    [`${META}pod_container_port_protocol`]: protocol,
  });
}

// Prometheus' order of preference (k8s.io/kubernetes/pkg/util/node).
const NODE_ADDRESS_TYPES = ['InternalIP', 'InternalDNS', 'ExternalIP', 'ExternalDNS', 'LegacyHostIP', 'Hostname'];

function nodeGroups(node: Node): TargetGroup[] {
  const byType = new Map<string, string>();
  for (const { type, address } of node.status?.addresses ?? []) if (!byType.has(type)) byType.set(type, address);
  const type = NODE_ADDRESS_TYPES.find((t) => byType.has(t));
  if (type === undefined) return []; // no address: Prometheus skips the node
  const common = { ...labels({ [`${META}node_provider_id`]: node.spec?.providerID }), ...objectMetaLabels(node, 'node') };
  const target: Labels = {
    __address__: hostPort(byType.get(type)!, node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0),
    instance: node.metadata.name,
  };
  for (const [addressType, address] of byType) set(target, sanitizeLabelName(`${META}node_address_${addressType}`), address);
  return groups(`node/${node.metadata.name}`, common, [target]);
}

function ingressGroups(ingress: Ingress, lookup: KubernetesLookup): TargetGroup[] {
  const common = {
    ...labels({ [NAMESPACE]: ingress.metadata.namespace, [`${META}ingress_class_name`]: ingress.spec?.ingressClassName }),
    ...objectMetaLabels(ingress, 'ingress'),
    ...namespaceLabels(ingress, lookup),
  };
  const tlsHosts = new Set((ingress.spec?.tls ?? []).flatMap((tls) => tls.hosts ?? []));
  const targets: Labels[] = [];
  for (const rule of ingress.spec?.rules ?? []) {
    const host = rule.host ?? '';
    const paths = rule.http ? (rule.http.paths ?? []).map((p) => p.path || '/') : ['/'];
    for (const path of paths) {
      targets.push({
        __address__: host,
        ...labels({
          [`${META}ingress_scheme`]: tlsHosts.has(host) ? 'https' : 'http',
          [`${META}ingress_host`]: host,
          [`${META}ingress_path`]: path,
        }),
      });
    }
  }
  return groups(`ingress/${ingress.metadata.namespace}/${ingress.metadata.name}`, common, targets);
}

/** `__meta_kubernetes_<role>_name`, and its labels and annotations with their `…present_` twins. */
function objectMetaLabels(object: KubernetesObject, role: string): Labels {
  const result = labels({ [`${META}${role}_name`]: object.metadata.name });
  for (const [kind, entries] of [
    ['label', object.metadata.labels],
    ['annotation', object.metadata.annotations],
  ] as const) {
    for (const [key, value] of Object.entries(entries ?? {})) {
      const name = sanitizeLabelName(key);
      set(result, `${META}${role}_${kind}_${name}`, value);
      result[`${META}${role}_${kind}present_${name}`] = 'true';
    }
  }
  return result;
}

/** attach_metadata.node: the node's name, labels and annotations. */
function nodeMetaLabels(node: (name: string) => Node | undefined, name: string | undefined): Labels {
  const found = name ? node(name) : undefined;
  return found ? objectMetaLabels(found, 'node') : {};
}

/** attach_metadata.namespace: the namespace's labels and annotations. */
function namespaceLabels(object: KubernetesObject, lookup: KubernetesLookup): Labels {
  const found = lookup.namespace && object.metadata.namespace ? lookup.namespace(object.metadata.namespace) : undefined;
  if (!found) return {};
  const result = objectMetaLabels(found, 'namespace');
  delete result[`${META}namespace_name`];
  return result;
}

/** One group per target; the target's labels win over the object's, as in Prometheus. */
function groups(source: string, common: Labels, targets: Labels[]): TargetGroup[] {
  return targets.map(({ __address__: address = '', ...own }, index) => ({
    source: `${source}:${index}`,
    targets: [address],
    labels: { ...common, ...own },
  }));
}

/** The defined, non-empty entries. */
function labels(entries: Record<string, string | undefined>): Labels {
  const result: Labels = {};
  for (const [name, value] of Object.entries(entries)) set(result, name, value);
  return result;
}

function set(target: Labels, name: string, value: string | undefined): void {
  if (value !== undefined && value !== '') target[name] = value;
}

function optionalBoolean(value: boolean | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}

/** Go's net.JoinHostPort. */
function hostPort(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
