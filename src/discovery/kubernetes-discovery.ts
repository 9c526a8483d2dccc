import { Logger } from '@nestjs/common';
import type { KubernetesRole, KubernetesSdConfig } from '../config/config.types.js';
import { kubernetesConnection, type KubernetesConnection, type KubernetesEnvironment } from './kubernetes-connection.js';
import { pause } from './discovery-http-client.js';
import { KubernetesInformer, RESOURCES, type InformerOptions, type KubernetesResource } from './kubernetes-informer.js';
import { objectGroups, type KubernetesLookup, type Node, type Pod, type Service } from './kubernetes-targets.js';
import type { DiscoveryMechanism, TargetGroup } from './target-group.js';

export interface KubernetesDiscoveryOptions extends InformerOptions {
  /** Where in-cluster configuration comes from (default: the process environment and the service account directory). */
  environment?: KubernetesEnvironment;
}

type Kind = keyof typeof RESOURCES;

/** The kind each role discovers, and the selector role that filters each kind. */
const MAIN_KIND: Readonly<Record<KubernetesRole, Kind>> = {
  pod: 'pods',
  service: 'services',
  endpoints: 'endpoints',
  endpointslice: 'endpointslices',
  node: 'nodes',
  ingress: 'ingresses',
};
const SELECTOR_ROLE: Readonly<Partial<Record<Kind, KubernetesRole>>> = {
  pods: 'pod',
  services: 'service',
  endpoints: 'endpoints',
  endpointslices: 'endpointslice',
  nodes: 'node',
  ingresses: 'ingress',
};

/**
 * kubernetes_sd_configs: watches the role's objects (and, for endpoints and endpointslice, the
 * pods and services they point at; with attach_metadata, nodes and namespaces) through the
 * Kubernetes API, in the configured namespaces or all of them, and reports Prometheus' targets
 * and `__meta_kubernetes_*` labels (see kubernetes-targets.ts). Each kind is listed, then
 * watched from the list's resourceVersion; targets are first reported once every kind has been
 * listed, then on every change. A failing request keeps the last known objects, is logged when
 * the problem changes, and is retried with backoff (1 s doubling to 30 s).
 */
export class KubernetesDiscovery implements DiscoveryMechanism {
  readonly name: string;
  private failed: () => void = () => {};
  private readonly logger = new Logger('Discovery');
  private readonly informers = new Map<Kind, KubernetesInformer[]>();
  private readonly problems = new Map<string, string>();
  private report: (groups: TargetGroup[]) => void = () => {};
  private reported: string | null = null;
  private readonly abort = new AbortController();
  private running: Promise<void> | null = null;
  private rebuild: NodeJS.Immediate | null = null;
  private connectionProblem: string | null = null;

  constructor(
    private readonly config: KubernetesSdConfig,
    index: number,
    private readonly service: string,
    private readonly options: KubernetesDiscoveryOptions = {},
  ) {
    this.name = `kubernetes_sd_configs[${index}]`;
  }

  /** Connects in the background: an unreachable API server must not hold up the start. */
  start(report: (groups: TargetGroup[]) => void, failed: () => void = () => {}): void {
    this.failed = failed;
    this.report = report;
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    if (this.rebuild) clearImmediate(this.rebuild);
    await this.running;
    await Promise.all([...this.informers.values()].flat().map((informer) => informer.stop()));
  }

  private get prefix(): string {
    return `service "${this.service}": ${this.name}`;
  }

  private async run(): Promise<void> {
    const connection = await this.connect();
    if (!connection || this.abort.signal.aborted) return;
    const namespaces = this.namespaces(connection);
    const kinds: Kind[] = [MAIN_KIND[this.config.role]];
    if (this.config.role === 'endpoints' || this.config.role === 'endpointslice') kinds.push('pods', 'services');
    if (this.config.attachMetadata.node && ['pod', 'endpoints', 'endpointslice'].includes(this.config.role)) kinds.push('nodes');
    if (this.config.attachMetadata.namespace && this.config.role !== 'node') kinds.push('namespaces');
    for (const kind of kinds) {
      const resource: KubernetesResource = RESOURCES[kind];
      const selectorRole = SELECTOR_ROLE[kind];
      const selector: { label?: string; field?: string } = this.config.selectors.find((s) => s.role === selectorRole) ?? {};
      const informers = (resource.namespaced ? namespaces : [undefined]).map(
        (namespace) =>
          new KubernetesInformer(
            connection,
            resource,
            namespace,
            { ...(selector.label ? { label: selector.label } : {}), ...(selector.field ? { field: selector.field } : {}) },
            () => this.changed(),
            (problem) => this.problem(namespace === undefined ? resource.plural : `${resource.plural} in namespace ${namespace}`, problem),
            this.options,
          ),
      );
      this.informers.set(kind, informers);
    }
    for (const informer of [...this.informers.values()].flat()) informer.start();
  }

  /** The API server connection; retried with backoff while it cannot be set up (no in-cluster environment, unreadable kubeconfig). */
  private async connect(): Promise<KubernetesConnection | undefined> {
    let backoff = this.options.backoffMs ?? 1_000;
    while (!this.abort.signal.aborted) {
      try {
        const connection = await kubernetesConnection(this.config, this.options.environment);
        if (this.connectionProblem !== null) this.logger.log(`${this.prefix}: connection configured`);
        return connection;
      } catch (error) {
        this.failed();
        const message = (error as Error).message;
        if (message !== this.connectionProblem) {
          this.connectionProblem = message;
          this.logger.error(`${this.prefix}: ${message} (no targets from it until this is fixed)`);
        }
        await pause(backoff, this.abort.signal);
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs ?? 30_000);
      }
    }
    return undefined;
  }

  /** undefined: all namespaces. */
  private namespaces(connection: KubernetesConnection): (string | undefined)[] {
    const { names, ownNamespace } = this.config.namespaces;
    const all = [...names, ...(ownNamespace && connection.ownNamespace ? [connection.ownNamespace] : [])];
    return all.length === 0 ? [undefined] : [...new Set(all)];
  }

  private problem(what: string, message: string | null): void {
    if (message === null) {
      if (this.problems.delete(what)) this.logger.log(`${this.prefix}: ${what}: the API server answers again`);
      return;
    }
    this.failed();
    if (this.problems.get(what) === message) return;
    this.problems.set(what, message);
    const kept = this.reported === null ? 'no targets from it until it answers' : 'keeping the last known targets';
    this.logger.error(`${this.prefix}: ${this.config.apiServer ?? 'API server'}: ${message} (${kept})`);
  }

  /** Many events arrive together (a list, a burst of watch events): the groups are built once for them. */
  private changed(): void {
    if (this.rebuild || this.abort.signal.aborted) return;
    this.rebuild = setImmediate(() => {
      this.rebuild = null;
      this.build();
    });
  }

  private build(): void {
    const all = [...this.informers.values()].flat();
    if (this.abort.signal.aborted || !all.every((informer) => informer.synced)) return;
    const lookup = this.lookup();
    const objects = (this.informers.get(MAIN_KIND[this.config.role]) ?? []).flatMap((informer) => [...informer.store]);
    objects.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const groups = objects.flatMap(([, object]) => objectGroups(this.config.role, object, lookup));
    const text = JSON.stringify(groups);
    if (text === this.reported) return;
    this.reported = text;
    this.report(groups);
  }

  private lookup(): KubernetesLookup {
    const find = (kind: Kind, key: string) => {
      for (const informer of this.informers.get(kind) ?? []) {
        const found = informer.store.get(key);
        if (found) return found;
      }
      return undefined;
    };
    return {
      pod: (namespace, name) => find('pods', `${namespace}/${name}`) as Pod | undefined,
      service: (namespace, name) => find('services', `${namespace}/${name}`) as Service | undefined,
      ...(this.informers.has('nodes') ? { node: (name: string) => find('nodes', `/${name}`) as Node | undefined } : {}),
      ...(this.informers.has('namespaces') ? { namespace: (name: string) => find('namespaces', `/${name}`) } : {}),
    };
  }
}
