import { Logger } from '@nestjs/common';
import { promises as dns } from 'node:dns';
import { isIPv6 } from 'node:net';
import type { DnsSdConfig } from '../config/config.types.js';
import { PollingDiscovery } from './polling-discovery.js';
import type { TargetGroup } from './target-group.js';

export interface DnsDiscoveryOptions {
  /** DNS servers (`127.0.0.1:5353`) instead of the system's; for tests. */
  servers?: string[];
  /** Per-try timeout of a lookup, ms (default 5000, tries 2). */
  timeoutMs?: number;
}

// Answers meaning "no such records": the name's targets are gone. Anything else (timeout,
// SERVFAIL, refused) says nothing about the name, so its last targets are kept.
const NO_RECORDS = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN', 'NODATA']);

/**
 * dns_sd_configs: looks each name up every refresh interval (record type SRV by default, as
 * in Prometheus, or A, AAAA, MX, NS with the configured port). Every target carries
 * `__meta_dns_name`; SRV targets also `__meta_dns_srv_record_target` (with the final dot,
 * as Prometheus writes it) and `__meta_dns_srv_record_port`, MX and NS targets
 * `__meta_dns_mx_record_target` / `__meta_dns_ns_record_target`.
 */
export class DnsDiscovery extends PollingDiscovery {
  readonly name: string;
  private readonly logger = new Logger('Discovery');
  private readonly resolver: dns.Resolver;
  private readonly byName = new Map<string, TargetGroup[]>();
  private readonly problems = new Map<string, string>();
  private reported: string | null = null;

  constructor(
    private readonly config: DnsSdConfig,
    index: number,
    private readonly service: string,
    options: DnsDiscoveryOptions = {},
  ) {
    super(config.refreshIntervalMs);
    this.name = `dns_sd_configs[${index}]`;
    this.resolver = new dns.Resolver({ timeout: options.timeoutMs ?? 5_000, tries: 2 });
    if (options.servers) this.resolver.setServers(options.servers);
  }

  protected cancelLookups(): void {
    this.resolver.cancel();
  }

  protected async refreshOnce(): Promise<void> {
    await Promise.all(this.config.names.map((name) => this.refreshName(name)));
    if (this.stopped) return;
    const groups = this.config.names.flatMap((name) => this.byName.get(name) ?? []);
    const text = JSON.stringify(groups);
    if (text === this.reported) return;
    this.reported = text;
    this.report(groups);
  }

  private async refreshName(name: string): Promise<void> {
    try {
      this.byName.set(name, await this.lookUp(name));
      if (this.problems.delete(name)) this.logger.log(`${this.prefix}: ${name} resolves again`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== undefined && NO_RECORDS.has(code)) {
        this.byName.set(name, []);
        this.problems.delete(name);
        return;
      }
      if (this.stopped) return;
      const message = (error as Error).message;
      this.failed();
      if (this.problems.get(name) === message) return;
      this.problems.set(name, message);
      const kept = this.byName.has(name) ? 'keeping its last targets' : 'no targets from it until it resolves';
      this.logger.error(`${this.prefix}: ${this.config.type} lookup of ${name} failed: ${message} (${kept})`);
    }
  }

  private get prefix(): string {
    return `service "${this.service}": ${this.name}`;
  }

  private async lookUp(name: string): Promise<TargetGroup[]> {
    const { port } = this.config;
    const base = { __meta_dns_name: name };
    switch (this.config.type) {
      case 'A':
        return addressGroup(name, await this.resolver.resolve4(name), port, base);
      case 'AAAA':
        return addressGroup(name, await this.resolver.resolve6(name), port, base);
      case 'SRV':
        return (await this.resolver.resolveSrv(name)).map((record, i) => ({
          source: `${name}:${i}`,
          targets: [hostPort(record.name, record.port)],
          labels: { ...base, __meta_dns_srv_record_target: rooted(record.name), __meta_dns_srv_record_port: String(record.port) },
        }));
      case 'MX':
        return (await this.resolver.resolveMx(name)).map((record, i) => ({
          source: `${name}:${i}`,
          targets: [hostPort(record.exchange, port)],
          labels: { ...base, __meta_dns_mx_record_target: rooted(record.exchange) },
        }));
      case 'NS':
        return (await this.resolver.resolveNs(name)).map((host, i) => ({
          source: `${name}:${i}`,
          targets: [hostPort(host, port)],
          labels: { ...base, __meta_dns_ns_record_target: rooted(host) },
        }));
    }
  }
}

function addressGroup(name: string, addresses: string[], port: number, labels: Record<string, string>): TargetGroup[] {
  return [{ source: name, targets: addresses.map((a) => hostPort(a, port)), labels }];
}

/** Go's net.JoinHostPort, after removing a final dot as Prometheus does. */
function hostPort(host: string, port: number): string {
  const bare = host.replace(/\.+$/, '');
  return isIPv6(bare) ? `[${bare}]:${port}` : `${bare}:${port}`;
}

// DNS names in answers are rooted (end with a dot); Prometheus puts them in labels that way.
function rooted(host: string): string {
  return host.endsWith('.') ? host : `${host}.`;
}
