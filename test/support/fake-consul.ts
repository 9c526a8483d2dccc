// A small Consul HTTP API for discovery tests: /v1/agent/self, /v1/catalog/services and
// /v1/health/service/<name>, with blocking queries (a request whose `index` is the current
// X-Consul-Index is held until something changes or `wait` is up).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parseDuration } from '../../src/config/duration.js';

export interface ConsulInstance {
  node: string;
  address: string;
  service: string;
  id?: string;
  serviceAddress?: string;
  port: number;
  tags?: string[];
  meta?: Record<string, string>;
  nodeMeta?: Record<string, string>;
  taggedAddresses?: Record<string, string>;
  checks?: { CheckID: string; Status: string }[];
}

interface Held {
  respond: () => void;
  timer: NodeJS.Timeout;
}

export class FakeConsul {
  url = '';
  datacenter = 'dc1';
  /** The X-Consul-Index: raised by every change. */
  index = 10;
  readonly requests: { path: string; query: URLSearchParams; token?: string }[] = [];
  /** Answers for the next requests, before anything else: HTTP status and body. */
  readonly failures: { status: number; body: string }[] = [];
  private readonly instances: ConsulInstance[] = [];
  private readonly held = new Set<Held>();
  private readonly server: Server;

  constructor(private readonly token?: string) {
    this.server = createServer((request, response) => this.handle(request, response));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const held of this.held) clearTimeout(held.timer);
    this.held.clear();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** Requests held right now (blocking queries waiting for a change). */
  get holding(): number {
    return this.held.size;
  }

  requestsTo(path: string): { path: string; query: URLSearchParams; token?: string }[] {
    return this.requests.filter((r) => r.path === path);
  }

  register(instance: ConsulInstance): void {
    this.instances.push(instance);
    this.changed();
  }

  deregister(id: string): void {
    const i = this.instances.findIndex((x) => (x.id ?? x.service) === id);
    if (i === -1) throw new Error(`no instance ${id}`);
    this.instances.splice(i, 1);
    this.changed();
  }

  private changed(): void {
    this.index++;
    for (const held of [...this.held]) held.respond();
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url!, 'http://fake');
    const token = request.headers['x-consul-token'] as string | undefined;
    this.requests.push({ path: url.pathname, query: url.searchParams, ...(token ? { token } : {}) });
    if (this.token !== undefined && token !== this.token) {
      response.writeHead(403, { 'Content-Type': 'text/plain' }).end('ACL not found');
      return;
    }
    const failure = this.failures.shift();
    if (failure) {
      response.writeHead(failure.status, { 'Content-Type': 'text/plain' }).end(failure.body);
      return;
    }
    if (url.pathname === '/v1/agent/self') {
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ Config: { Datacenter: this.datacenter, NodeName: 'agent-1' } }));
      return;
    }
    const health = /^\/v1\/health\/service\/(.+)$/.exec(url.pathname);
    if (url.pathname !== '/v1/catalog/services' && !health) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    const answer = (): unknown => (health ? this.healthOf(decodeURIComponent(health[1]!), url.searchParams) : this.catalog(url.searchParams));
    const send = (): void => {
      response.writeHead(200, { 'Content-Type': 'application/json', 'X-Consul-Index': String(this.index) }).end(JSON.stringify(answer()));
    };
    const index = Number(url.searchParams.get('index') ?? 0);
    if (index < this.index) return send();
    // A blocking query: held until a change, or until the wait time is up.
    const wait = url.searchParams.has('wait') ? parseDuration(url.searchParams.get('wait')!) : 300_000;
    const held: Held = {
      respond: () => {
        clearTimeout(held.timer);
        this.held.delete(held);
        send();
      },
      timer: setTimeout(() => held.respond(), wait),
    };
    this.held.add(held);
    request.on('close', () => {
      clearTimeout(held.timer);
      this.held.delete(held);
    });
  }

  private matchesNodeMeta(instance: ConsulInstance, query: URLSearchParams): boolean {
    return query.getAll('node-meta').every((pair) => {
      const [key, value] = pair.split(':');
      return instance.nodeMeta?.[key!] === value;
    });
  }

  private catalog(query: URLSearchParams): Record<string, string[]> {
    const result: Record<string, string[]> = {};
    for (const instance of this.instances) {
      if (!this.matchesNodeMeta(instance, query)) continue;
      const tags = (result[instance.service] ??= []);
      for (const tag of instance.tags ?? []) if (!tags.includes(tag)) tags.push(tag);
    }
    return result;
  }

  private healthOf(service: string, query: URLSearchParams): unknown[] {
    const tags = query.getAll('tag');
    return this.instances
      .filter((i) => i.service === service && this.matchesNodeMeta(i, query) && tags.every((t) => (i.tags ?? []).includes(t)))
      .map((i) => ({
        Node: { ID: `id-${i.node}`, Node: i.node, Address: i.address, Datacenter: this.datacenter, TaggedAddresses: i.taggedAddresses ?? null, Meta: i.nodeMeta ?? null },
        Service: { ID: i.id ?? i.service, Service: i.service, Tags: i.tags ?? [], Address: i.serviceAddress ?? '', Meta: i.meta ?? null, Port: i.port },
        Checks: i.checks ?? [{ CheckID: 'serfHealth', Status: 'passing' }],
      }));
  }
}
