import { Logger } from '@nestjs/common';
import type { HttpSdConfig } from '../config/config.types.js';
import { configuredConnection, httpGet, readBody, type HttpConnection } from './discovery-http-client.js';
import { parseTargetGroups } from './target-group-format.js';
import { PollingDiscovery } from './polling-discovery.js';
import type { TargetGroup } from './target-group.js';

const MAX_BODY_BYTES = 64 * 2 ** 20;
const MAX_REDIRECTS = 10;
const MAX_TIMEOUT_MS = 60_000;
// Prometheus: application/json, optionally with a UTF-8 charset.
const JSON_CONTENT_TYPE = /^application\/json(;\s*charset=("utf-8"|utf-8))?$/i;

/**
 * http_sd_configs: GETs the URL every refresh interval; the answer is Prometheus' HTTP SD
 * format (HTTP 200, Content-Type application/json, a JSON list of target groups). Each group
 * gets `__meta_url`. A failed fetch (connection, status, content type, JSON) keeps the last
 * known targets and is logged when the problem changes.
 */
export class HttpDiscovery extends PollingDiscovery {
  readonly name: string;
  private readonly logger = new Logger('Discovery');
  private reported: string | null = null;
  private problem: string | null = null;
  private abort = new AbortController();
  private readonly connection: HttpConnection;

  constructor(
    private readonly config: HttpSdConfig,
    index: number,
    private readonly service: string,
  ) {
    super(config.refreshIntervalMs);
    this.name = `http_sd_configs[${index}]`;
    this.connection = configuredConnection(config.auth, config.tls);
  }

  protected cancelLookups(): void {
    this.abort.abort();
  }

  protected async refreshOnce(): Promise<void> {
    let groups: TargetGroup[];
    try {
      groups = await this.fetchGroups();
    } catch (error) {
      if (this.stopped) return;
      this.failed();
      const message = (error as Error).message;
      if (message !== this.problem) {
        this.problem = message;
        const kept = this.reported === null ? 'no targets from it until it answers' : 'keeping the last known targets';
        this.logger.error(`service "${this.service}": ${this.name}: ${this.config.url}: ${message} (${kept})`);
      }
      return;
    }
    if (this.problem !== null) {
      this.problem = null;
      this.logger.log(`service "${this.service}": ${this.name}: ${this.config.url} answers again`);
    }
    const text = JSON.stringify(groups);
    if (text === this.reported || this.stopped) return;
    this.reported = text;
    this.report(groups);
  }

  private async fetchGroups(): Promise<TargetGroup[]> {
    const response = await this.get(this.config.url, MAX_REDIRECTS);
    if (response.status !== 200) throw new Error(`server returned HTTP status ${response.status}`);
    const contentType = (response.contentType ?? '').trim();
    if (!JSON_CONTENT_TYPE.test(contentType)) throw new Error(`unsupported content type ${JSON.stringify(contentType)} (expected application/json)`);
    let value: unknown;
    try {
      value = JSON.parse(response.body);
    } catch (error) {
      throw new Error(`not valid JSON: ${(error as Error).message}`);
    }
    return parseTargetGroups(value, 'response', 'json').map((group, index) => ({
      source: `${this.config.url}:${index}`,
      targets: group.targets,
      labels: { ...group.labels, __meta_url: this.config.url },
    }));
  }

  private async get(url: string, redirectsLeft: number): Promise<{ status: number; contentType?: string; body: string }> {
    const target = new URL(url);
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(Math.min(this.config.refreshIntervalMs, MAX_TIMEOUT_MS))]);
    const response = await httpGet(target, this.connection, signal, {
      'X-Prometheus-Refresh-Interval-Seconds': String(this.config.refreshIntervalMs / 1000),
    });
    const location = response.headers.location;
    if (this.config.followRedirects && [301, 302, 303, 307, 308].includes(response.statusCode ?? 0) && location) {
      response.resume();
      if (redirectsLeft === 0) throw new Error(`stopped after ${MAX_REDIRECTS} redirects`);
      return this.get(new URL(location, target).toString(), redirectsLeft - 1);
    }
    const body = await readBody(response, MAX_BODY_BYTES);
    return { status: response.statusCode ?? 0, contentType: response.headers['content-type'], body };
  }
}
