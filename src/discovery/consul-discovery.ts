import { Logger } from '@nestjs/common';
import { isIPv6 } from 'node:net';
import type { ConsulSdConfig } from '../config/config.types.js';
import { configuredConnection, httpGet, HttpError, pause, readBody, type HttpConnection } from './discovery-http-client.js';
import { sanitizeLabelName } from './kubernetes-targets.js';
import type { DiscoveryMechanism, TargetGroup } from './target-group.js';

const MAX_BODY_BYTES = 64 * 2 ** 20;
const META = '__meta_consul_';

export interface ConsulDiscoveryOptions {
  /** How long Consul may hold a blocking query (default 2 min, as Prometheus). */
  waitMs?: number;
  /** First retry delay after an error, doubled up to maxBackoffMs (defaults 1 s and 30 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
}

interface HealthEntry {
  Node?: { Node?: string; Address?: string; Meta?: Record<string, string> | null; TaggedAddresses?: Record<string, string> | null };
  Service?: {
    ID?: string;
    Service?: string;
    Tags?: string[] | null;
    Address?: string;
    Port?: number;
    Meta?: Record<string, string> | null;
    Namespace?: string;
    Partition?: string;
  };
  Checks?: { CheckID?: string; Status?: string }[] | null;
}

/** A watch loop: one blocking query after another on one Consul endpoint. */
interface Watch {
  abort: AbortController;
  running: Promise<void>;
}

/**
 * consul_sd_configs: follows Consul's catalog with blocking queries, as Prometheus does. With
 * `services` and no `tags`, each named service is watched (`/v1/health/service/<name>`);
 * otherwise the service list (`/v1/catalog/services`) is watched too, and every service whose
 * name and tags match gets its own watch. A blocking query returns as soon as something
 * changed (or after the wait time), so a change is seen at once; `refresh_interval` only
 * limits how often a busy endpoint is asked (at most one blocking query per interval). A
 * failed query keeps the last known targets, is logged when the problem changes, and is
 * retried with backoff (1 s doubling to 30 s).
 */
export class ConsulDiscovery implements DiscoveryMechanism {
  readonly name: string;
  private countFailure: () => void = () => {};
  private readonly logger = new Logger('Discovery');
  private readonly base: URL;
  private readonly connection: HttpConnection;
  private readonly waitMs: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly abort = new AbortController();
  private readonly watches = new Map<string, Watch>();
  /** By service name: its targets, once its first query was answered. */
  private readonly byService = new Map<string, TargetGroup[]>();
  /** Services whose first query has not finished (answered or failed) yet. */
  private readonly pending = new Set<string>();
  private readonly problems = new Map<string, string>();
  private catalogAnswered = false;
  private datacenter: string;
  private report: (groups: TargetGroup[]) => void = () => {};
  private reported: string | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly config: ConsulSdConfig,
    index: number,
    private readonly service: string,
    options: ConsulDiscoveryOptions = {},
  ) {
    this.name = `consul_sd_configs[${index}]`;
    const prefix = config.pathPrefix.replace(/^\/*/, '/').replace(/\/+$/, '');
    this.base = new URL(`${config.scheme}://${config.server}${prefix}/`);
    const http = configuredConnection(config.auth, config.tls);
    this.connection = {
      headers: async () => ({ ...(await http.headers()), ...(config.token ? { 'X-Consul-Token': config.token } : {}) }),
      tlsOptions: () => http.tlsOptions(),
    };
    this.datacenter = config.datacenter;
    this.waitMs = options.waitMs ?? 120_000;
    this.backoffMs = options.backoffMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
  }

  /** Queries run in the background: an unreachable Consul must not hold up the start. */
  start(report: (groups: TargetGroup[]) => void, failed: () => void = () => {}): void {
    this.countFailure = failed;
    this.report = report;
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    await Promise.all([...this.watches.values()].map((w) => w.running));
  }

  private get prefix(): string {
    return `service "${this.service}": ${this.name}`;
  }

  private async run(): Promise<void> {
    if (!(await this.findDatacenter())) return;
    const { services, tags } = this.config;
    if (services.length > 0 && tags.length === 0) {
      this.catalogAnswered = true;
      for (const name of services) this.watchService(name);
      return;
    }
    await this.loop('catalog', this.abort.signal, async (index, signal) => {
      const { value, index: next } = await this.query<Record<string, string[] | null>>('v1/catalog/services', index, signal, this.filters());
      return { index: next, apply: () => this.catalogChanged(value) };
    });
  }

  /** Prometheus asks the local agent for its datacenter when none is configured. */
  private async findDatacenter(): Promise<boolean> {
    let backoff = this.backoffMs;
    while (this.datacenter === '' && !this.abort.signal.aborted) {
      try {
        const response = await httpGet(new URL('v1/agent/self', this.base), this.connection, AbortSignal.any([this.abort.signal, AbortSignal.timeout(30_000)]));
        const body = await readBody(response, MAX_BODY_BYTES);
        if (response.statusCode !== 200) throw new HttpError(`server returned HTTP status ${response.statusCode}: ${body.trim().slice(0, 300)}`, response.statusCode);
        const datacenter = (JSON.parse(body) as { Config?: { Datacenter?: unknown } }).Config?.Datacenter;
        if (typeof datacenter !== 'string' || datacenter === '') throw new Error(`invalid Config.Datacenter ${JSON.stringify(datacenter)} in /v1/agent/self`);
        this.datacenter = datacenter;
        this.solved('agent');
      } catch (error) {
        if (this.abort.signal.aborted) break;
        this.failed('agent', `cannot find the datacenter of the agent: ${(error as Error).message}`);
        await pause(backoff, this.abort.signal);
        backoff = Math.min(backoff * 2, this.maxBackoffMs);
      }
    }
    return !this.abort.signal.aborted;
  }

  private catalogChanged(services: Record<string, string[] | null>): void {
    const wanted = Object.entries(services)
      .filter(([name, tags]) => this.shouldWatch(name, tags ?? []))
      .map(([name]) => name);
    for (const name of wanted) if (!this.watches.has(name)) this.watchService(name);
    for (const [name, watch] of this.watches) {
      if (wanted.includes(name)) continue;
      watch.abort.abort();
      this.watches.delete(name);
      this.byService.delete(name);
      this.pending.delete(name);
      this.problems.delete(`service ${name}`);
    }
    this.catalogAnswered = true;
    this.emit();
  }

  private shouldWatch(name: string, tags: string[]): boolean {
    const { services, tags: wanted } = this.config;
    return (services.length === 0 || services.includes(name)) && wanted.every((tag) => tags.includes(tag));
  }

  private watchService(name: string): void {
    const abort = new AbortController();
    const signal = AbortSignal.any([this.abort.signal, abort.signal]);
    this.pending.add(name);
    const path = `v1/health/service/${encodeURIComponent(name)}`;
    const running = this.loop(
      `service ${name}`,
      signal,
      async (index, querySignal) => {
        const params = [...this.config.tags.map((tag): [string, string] => ['tag', tag]), ...this.filters()];
        const { value, index: next } = await this.query<HealthEntry[]>(path, index, querySignal, params);
        if (!Array.isArray(value)) throw new Error('expected a list of service instances');
        return {
          index: next,
          apply: () => {
            if (signal.aborted) return;
            this.byService.set(name, this.groups(name, value));
            this.pending.delete(name);
            this.emit();
          },
        };
      },
      () => {
        // A first query that failed: the other services need not wait for this one.
        if (this.pending.delete(name)) this.emit();
      },
    );
    this.watches.set(name, { abort, running });
  }

  /**
   * Blocking queries, one after another: the index of each answer is sent with the next, so
   * Consul holds it until something changes. An answer with the same index changed nothing.
   * Every blocking query after the first starts no earlier than refresh_interval after the
   * one before it started (Prometheus' ticker).
   */
  private async loop(
    what: string,
    signal: AbortSignal,
    query: (index: number, signal: AbortSignal) => Promise<{ index: number; apply: () => void }>,
    firstFailed?: () => void,
  ): Promise<void> {
    let index = 0;
    let previousBlockingStart: number | null = null;
    let backoff = this.backoffMs;
    let attempts = 0;
    while (!signal.aborted) {
      if (index > 0) {
        if (previousBlockingStart !== null) await pause(previousBlockingStart + this.config.refreshIntervalMs - Date.now(), signal);
        if (signal.aborted) return;
        previousBlockingStart = Date.now();
      }
      attempts++;
      try {
        const answer = await query(index, signal);
        if (signal.aborted) return;
        this.solved(what);
        backoff = this.backoffMs;
        // Consul: an index that went backwards starts over; an index must be positive.
        const next = answer.index < index ? 0 : Math.max(answer.index, 1);
        if (next !== index) answer.apply();
        index = next;
      } catch (error) {
        if (signal.aborted) return;
        this.failed(what, (error as Error).message);
        if (attempts === 1) firstFailed?.();
        await pause(backoff, signal);
        backoff = Math.min(backoff * 2, this.maxBackoffMs);
      }
    }
  }

  private filters(): [string, string][] {
    const params: [string, string][] = [['dc', this.datacenter]];
    if (this.config.allowStale) params.push(['stale', '']);
    for (const [key, value] of Object.entries(this.config.nodeMeta)) params.push(['node-meta', `${key}:${value}`]);
    if (this.config.namespace) params.push(['ns', this.config.namespace]);
    if (this.config.partition) params.push(['partition', this.config.partition]);
    return params;
  }

  private async query<T>(path: string, index: number, signal: AbortSignal, params: [string, string][]): Promise<{ value: T; index: number }> {
    const url = new URL(path, this.base);
    for (const [key, value] of params) url.searchParams.append(key, value);
    if (index > 0) {
      url.searchParams.set('index', String(index));
      url.searchParams.set('wait', `${this.waitMs}ms`);
    }
    // Consul adds up to wait/16 of jitter to the wait.
    const timeout = AbortSignal.timeout(this.waitMs + this.waitMs / 16 + 15_000);
    const response = await httpGet(url, this.connection, AbortSignal.any([signal, timeout]));
    const body = await readBody(response, MAX_BODY_BYTES);
    if (response.statusCode !== 200) {
      throw new HttpError(`${url.pathname}: server returned HTTP status ${response.statusCode}${body.trim() ? `: ${body.trim().slice(0, 300)}` : ''}`, response.statusCode);
    }
    let value: T;
    try {
      value = JSON.parse(body) as T;
    } catch (error) {
      throw new Error(`${url.pathname}: not valid JSON: ${(error as Error).message}`);
    }
    const header = Number(response.headers['x-consul-index']);
    return { value, index: Number.isFinite(header) && header > 0 ? header : 0 };
  }

  private groups(name: string, entries: HealthEntry[]): TargetGroup[] {
    const separator = this.config.tagSeparator;
    return entries.map((entry, i) => {
      const node = entry.Node ?? {};
      const service = entry.Service ?? {};
      const port = service.Port ?? 0;
      const labels: Record<string, string> = {};
      const set = (label: string, value: string | undefined): void => {
        if (value !== undefined && value !== '') labels[label] = value;
      };
      set(`${META}service`, name);
      set(`${META}dc`, this.datacenter);
      set(`${META}address`, node.Address);
      set(`${META}node`, node.Node);
      set(`${META}namespace`, service.Namespace);
      set(`${META}partition`, service.Partition);
      // Wrapped in the separator, so a relabel regex need not care where a tag stands: ,a,b,
      set(`${META}tags`, `${separator}${(service.Tags ?? []).join(separator)}${separator}`);
      set(`${META}service_address`, service.Address);
      set(`${META}service_port`, String(port));
      set(`${META}service_id`, service.ID);
      set(`${META}health`, aggregatedStatus(entry.Checks ?? []));
      for (const [key, value] of Object.entries(node.Meta ?? {})) set(`${META}metadata_${sanitizeLabelName(key)}`, value);
      for (const [key, value] of Object.entries(service.Meta ?? {})) set(`${META}service_metadata_${sanitizeLabelName(key)}`, value);
      for (const [key, value] of Object.entries(node.TaggedAddresses ?? {})) set(`${META}tagged_address_${sanitizeLabelName(key)}`, value);
      // The service address, else the node's: a service may be registered for another host.
      const host = service.Address || node.Address || '';
      return { source: `${name}:${i}`, targets: [isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`], labels };
    });
  }

  /** Reports the full list once the first answers are in, then on every change. */
  private emit(): void {
    if (this.abort.signal.aborted || !this.catalogAnswered || this.pending.size > 0) return;
    const groups = [...this.byService.keys()].sort().flatMap((name) => this.byService.get(name)!);
    const text = JSON.stringify(groups);
    if (text === this.reported) return;
    this.reported = text;
    this.report(groups);
  }

  private failed(what: string, message: string): void {
    this.countFailure();
    if (this.problems.get(what) === message) return;
    this.problems.set(what, message);
    const kept = this.reported === null ? 'no targets from it until it answers' : 'keeping the last known targets';
    this.logger.error(`${this.prefix}: ${this.base.origin}: ${what}: ${message} (${kept})`);
  }

  private solved(what: string): void {
    if (this.problems.delete(what)) this.logger.log(`${this.prefix}: ${this.base.origin}: ${what}: Consul answers again`);
  }
}

/** Consul's HealthChecks.AggregatedStatus: maintenance, critical, warning, passing in that order. */
function aggregatedStatus(checks: { CheckID?: string; Status?: string }[]): string {
  let warning = false;
  let critical = false;
  let maintenance = false;
  for (const check of checks) {
    if (check.CheckID === '_node_maintenance' || check.CheckID?.startsWith('_service_maintenance:')) {
      maintenance = true;
      continue;
    }
    switch (check.Status) {
      case 'passing':
        break;
      case 'warning':
        warning = true;
        break;
      case 'critical':
        critical = true;
        break;
      default:
        return '';
    }
  }
  if (maintenance) return 'maintenance';
  if (critical) return 'critical';
  if (warning) return 'warning';
  return 'passing'; // passing, or no checks at all
}
