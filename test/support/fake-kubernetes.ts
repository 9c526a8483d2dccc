// A small Kubernetes API server for discovery tests: list and watch (newline-delimited JSON
// events, bookmarks, 410 Gone for a compacted resourceVersion) of pods, services, endpoints,
// endpointslices, ingresses, nodes and namespaces, with label and field selectors and a
// bearer token check.

import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

export interface FakeObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string>; [key: string]: unknown };
  [field: string]: unknown;
}

interface Watcher {
  plural: string;
  namespace: string | undefined;
  labelSelector: string;
  fieldSelector: string;
  response: ServerResponse;
}

interface HistoryEntry {
  rv: number;
  plural: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: FakeObject;
  /** For MODIFIED: the object before, to tell a watch with selectors that it stopped matching. */
  before?: FakeObject;
}

const PATH = /^(?:\/api\/v1|\/apis\/[^/]+\/v1)(?:\/namespaces\/([^/]+))?\/(pods|services|endpoints|endpointslices|ingresses|nodes|namespaces)$/;
const CLUSTER_SCOPED = new Set(['nodes', 'namespaces']);

export interface FakeKubernetesOptions {
  /** The bearer token requests must carry; undefined: no check. */
  token?: string;
  /** Serve https with this certificate and key. */
  tls?: { cert: string; key: string };
}

export class FakeKubernetes {
  url = '';
  /** Every request: path, query and Authorization header. */
  readonly requests: { path: string; query: Record<string, string>; authorization?: string }[] = [];
  /** Answers for the next requests (list or watch), used before anything else: HTTP status and body. */
  readonly failures: { status: number; body: string }[] = [];
  private server: Server;
  private rv = 1000;
  /** Watches from a resourceVersion below this get 410 Gone. */
  private oldest = 0;
  private readonly objects = new Map<string, Map<string, FakeObject>>();
  private readonly history: HistoryEntry[] = [];
  private readonly watchers = new Set<Watcher>();

  constructor(private readonly options: FakeKubernetesOptions = {}) {
    const handler = (request: IncomingMessage, response: ServerResponse): void => this.handle(request, response);
    this.server = options.tls ? createHttpsServer(options.tls, handler) : createHttpServer(handler);
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const watcher of this.watchers) watcher.response.end();
    this.watchers.clear();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** Open watch streams of a kind (all kinds when omitted). */
  watching(plural?: string): number {
    return [...this.watchers].filter((w) => plural === undefined || w.plural === plural).length;
  }

  /** Requests for one kind, `list` or `watch`. */
  requestsOf(plural: string, type: 'list' | 'watch'): { path: string; query: Record<string, string>; authorization?: string }[] {
    return this.requests.filter((r) => r.path.endsWith(`/${plural}`) && (type === 'watch') === (r.query.watch === '1' || r.query.watch === 'true'));
  }

  add(plural: string, object: FakeObject): FakeObject {
    return this.write(plural, 'ADDED', object);
  }

  modify(plural: string, object: FakeObject): FakeObject {
    return this.write(plural, 'MODIFIED', object);
  }

  delete(plural: string, namespace: string | undefined, name: string): void {
    const existing = this.store(plural).get(`${namespace ?? ''}/${name}`);
    if (!existing) throw new Error(`no ${plural} ${namespace}/${name}`);
    this.write(plural, 'DELETED', existing);
  }

  /** Forget the history so far: a watch from an older resourceVersion gets 410 Gone. */
  compact(): void {
    this.oldest = this.rv;
    this.history.length = 0;
  }

  /** Ends every open watch, as the API server does when timeoutSeconds is up. */
  closeWatches(): void {
    for (const watcher of this.watchers) watcher.response.end();
    this.watchers.clear();
  }

  /** Sends an ERROR event with code 410 on every open watch and ends it (an etcd compaction). */
  expireWatches(): void {
    for (const watcher of this.watchers) {
      watcher.response.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'too old resource version', reason: 'Expired', code: 410 } })}\n`);
    }
    this.watchers.clear();
  }

  /** Sends a BOOKMARK with the current resourceVersion on every open watch. */
  bookmark(): void {
    for (const watcher of this.watchers) {
      watcher.response.write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Bookmark', metadata: { resourceVersion: String(this.rv) } } })}\n`);
    }
  }

  private store(plural: string): Map<string, FakeObject> {
    let store = this.objects.get(plural);
    if (!store) this.objects.set(plural, (store = new Map()));
    return store;
  }

  private write(plural: string, type: HistoryEntry['type'], object: FakeObject): FakeObject {
    const copy = structuredClone(object);
    if (!CLUSTER_SCOPED.has(plural)) copy.metadata.namespace ??= 'default';
    copy.metadata.resourceVersion = String(++this.rv);
    const key = `${copy.metadata.namespace ?? ''}/${copy.metadata.name}`;
    const before = this.store(plural).get(key);
    if (type === 'DELETED') this.store(plural).delete(key);
    else this.store(plural).set(key, copy);
    const entry: HistoryEntry = { rv: this.rv, plural, type: type === 'DELETED' ? 'DELETED' : before ? 'MODIFIED' : 'ADDED', object: copy, ...(before ? { before } : {}) };
    this.history.push(entry);
    for (const watcher of this.watchers) this.send(watcher, entry);
    return copy;
  }

  private send(watcher: Watcher, entry: HistoryEntry): void {
    if (entry.plural !== watcher.plural) return;
    if (watcher.namespace !== undefined && entry.object.metadata.namespace !== watcher.namespace) return;
    const matches = (object: FakeObject | undefined): boolean =>
      object !== undefined && matchesLabels(object, watcher.labelSelector) && matchesFields(object, watcher.fieldSelector);
    const now = matches(entry.object);
    const was = entry.type === 'MODIFIED' && matches(entry.before);
    let type: string = entry.type;
    if (entry.type === 'MODIFIED' && was !== now) type = now ? 'ADDED' : 'DELETED';
    else if (!now) return;
    watcher.response.write(`${JSON.stringify({ type, object: entry.object })}\n`);
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url!, 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    this.requests.push({ path: url.pathname, query, ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}) });
    const status = (code: number, message: string): void => {
      response.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code }));
    };
    if (this.options.token !== undefined && request.headers.authorization !== `Bearer ${this.options.token}`) return status(401, 'Unauthorized');
    const failure = this.failures.shift();
    if (failure) {
      response.writeHead(failure.status, { 'Content-Type': 'application/json' }).end(failure.body);
      return;
    }
    const match = PATH.exec(url.pathname);
    if (!match) return status(404, `the server could not find the requested resource ${url.pathname}`);
    const [, namespace, plural] = match as unknown as [string, string | undefined, string];
    const labelSelector = query.labelSelector ?? '';
    const fieldSelector = query.fieldSelector ?? '';
    const selected = (object: FakeObject): boolean =>
      (namespace === undefined || object.metadata.namespace === namespace) && matchesLabels(object, labelSelector) && matchesFields(object, fieldSelector);
    if (query.watch === '1' || query.watch === 'true') {
      const from = query.resourceVersion ? Number(query.resourceVersion) : this.rv;
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.flushHeaders();
      if (from < this.oldest) {
        response.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `too old resource version: ${from} (${this.oldest})`, reason: 'Expired', code: 410 } })}\n`);
        return;
      }
      const watcher: Watcher = { plural, namespace, labelSelector, fieldSelector, response };
      for (const entry of this.history) if (entry.rv > from) this.send(watcher, entry);
      this.watchers.add(watcher);
      response.on('close', () => this.watchers.delete(watcher));
      return;
    }
    const items = [...this.store(plural).values()].filter(selected);
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(
      JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: String(this.rv) }, items }),
    );
  }
}

/** Kubernetes label selectors: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x,y)`, joined by commas. */
export function matchesLabels(object: FakeObject, selector: string): boolean {
  const labels = object.metadata.labels ?? {};
  return splitRequirements(selector).every((requirement) => {
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(requirement))) {
      const values = m[3]!.split(',').map((v) => v.trim());
      const has = m[1]! in labels && values.includes(labels[m[1]!]!);
      return m[2] === 'in' ? has : !has;
    }
    if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(requirement))) {
      return m[2] === '!=' ? labels[m[1]!] !== m[3] : labels[m[1]!] === m[3];
    }
    if ((m = /^!([\w./-]+)$/.exec(requirement))) return !(m[1]! in labels);
    if ((m = /^([\w./-]+)$/.exec(requirement))) return m[1]! in labels;
    throw new Error(`unsupported label selector requirement ${JSON.stringify(requirement)}`);
  });
}

/** Field selectors: `path.to.field=value`, `==`, `!=`, joined by commas. */
export function matchesFields(object: FakeObject, selector: string): boolean {
  return splitRequirements(selector).every((requirement) => {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(requirement);
    if (!m) throw new Error(`unsupported field selector requirement ${JSON.stringify(requirement)}`);
    let value: unknown = object;
    for (const part of m[1]!.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
    const text = value === undefined ? '' : String(value);
    return m[2] === '!=' ? text !== m[3] : text === m[3];
  });
}

function splitRequirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of selector) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}
