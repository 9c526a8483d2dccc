// Keeps a local copy of one kind of Kubernetes object (in one namespace, or all), the way
// client-go's informers do: list, then watch from the list's resourceVersion and apply ADDED /
// MODIFIED / DELETED; bookmarks move the resourceVersion on; a watch that ends is opened again
// from where it stopped; 410 Gone (the version is too old) lists again. On any other error the
// copy is kept as it was and the request is retried with backoff.

import type { IncomingMessage } from 'node:http';
import { httpGet, HttpError, pause, readBody } from './discovery-http-client.js';
import type { KubernetesConnection } from './kubernetes-connection.js';

const MAX_LIST_BYTES = 256 * 2 ** 20;
const MAX_EVENT_BYTES = 16 * 2 ** 20;
const LIST_TIMEOUT_MS = 60_000;
// client-go: watches time out after 5 to 10 minutes, so no connection lives forever.
const MIN_WATCH_SECONDS = 300;

export interface KubernetesObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind?: string; name?: string; controller?: boolean }[];
  };
  /** spec, status, subsets, endpoints…: the target builders read them by kind. */
  [field: string]: unknown;
}

/** A kind of object and where the API serves it. */
export interface KubernetesResource {
  /** Plural, as in URLs and messages: pods, services, endpoints, endpointslices, nodes, ingresses, namespaces. */
  plural: string;
  /** `/api/v1` or `/apis/<group>/<version>`. */
  apiPath: string;
  namespaced: boolean;
}

export const RESOURCES = {
  pods: { plural: 'pods', apiPath: '/api/v1', namespaced: true },
  services: { plural: 'services', apiPath: '/api/v1', namespaced: true },
  endpoints: { plural: 'endpoints', apiPath: '/api/v1', namespaced: true },
  endpointslices: { plural: 'endpointslices', apiPath: '/apis/discovery.k8s.io/v1', namespaced: true },
  ingresses: { plural: 'ingresses', apiPath: '/apis/networking.k8s.io/v1', namespaced: true },
  nodes: { plural: 'nodes', apiPath: '/api/v1', namespaced: false },
  namespaces: { plural: 'namespaces', apiPath: '/api/v1', namespaced: false },
} as const satisfies Record<string, KubernetesResource>;

export interface InformerOptions {
  /** First retry delay after an error, doubled up to maxBackoffMs (defaults 1 s and 30 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/** The resourceVersion the informer had is too old: list again. */
class Gone extends Error {}

export class KubernetesInformer {
  /** By `namespace/name` (`/name` for cluster objects). */
  readonly store = new Map<string, KubernetesObject>();
  /** True once the first list has arrived. */
  synced = false;
  readonly description: string;
  private resourceVersion: string | null = null;
  private readonly abort = new AbortController();
  private running: Promise<void> | null = null;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  /** 410 Gone answers since the last event that was not one. */
  private gone = 0;

  constructor(
    private readonly connection: KubernetesConnection,
    private readonly resource: KubernetesResource,
    /** Undefined: every namespace (or a cluster-scoped kind). */
    private readonly namespace: string | undefined,
    private readonly selector: { label?: string; field?: string },
    /** The store changed (after a list, or a watch event). */
    private readonly changed: () => void,
    /** A request failed (message), or works again (null) after failing. */
    private readonly problem: (message: string | null) => void,
    options: InformerOptions = {},
  ) {
    this.description = namespace === undefined ? resource.plural : `${resource.plural} in namespace ${namespace}`;
    this.backoffMs = options.backoffMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    let backoff = this.backoffMs;
    let failing = false;
    while (!this.abort.signal.aborted) {
      try {
        if (this.resourceVersion === null) {
          // A server that answers 410 to the version it just listed must not be asked in a loop.
          if (this.gone > 1) await pause(Math.min(this.backoffMs * 2 ** (this.gone - 2), this.maxBackoffMs), this.abort.signal);
          await this.list();
        }
        if (failing) {
          failing = false;
          this.problem(null);
        }
        backoff = this.backoffMs;
        const events = await this.watch(() => {
          if (failing) {
            failing = false;
            this.problem(null);
          }
        });
        // A watch the server closes at once, again and again, must not spin.
        if (events === 0) await pause(this.backoffMs, this.abort.signal);
      } catch (error) {
        if (this.abort.signal.aborted) return;
        if (error instanceof Gone) {
          this.resourceVersion = null; // relist at once: the watch window has moved on
          this.gone++;
          continue;
        }
        failing = true;
        this.problem(`${this.description}: ${(error as Error).message}`);
        await pause(backoff, this.abort.signal);
        backoff = Math.min(backoff * 2, this.maxBackoffMs);
      }
    }
  }

  private url(extra: Record<string, string>): URL {
    const base = this.connection.server;
    const prefix = base.pathname.replace(/\/+$/, '');
    const where = this.namespace === undefined ? '' : `/namespaces/${encodeURIComponent(this.namespace)}`;
    const url = new URL(`${prefix}${this.resource.apiPath}${where}/${this.resource.plural}`, base);
    if (this.selector.label) url.searchParams.set('labelSelector', this.selector.label);
    if (this.selector.field) url.searchParams.set('fieldSelector', this.selector.field);
    for (const [key, value] of Object.entries(extra)) url.searchParams.set(key, value);
    return url;
  }

  private async list(): Promise<void> {
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(LIST_TIMEOUT_MS)]);
    const response = await httpGet(this.url({}), this.connection, signal);
    const body = await readBody(response, MAX_LIST_BYTES);
    if (response.statusCode !== 200) throw statusError(response.statusCode ?? 0, body);
    let list: { metadata?: { resourceVersion?: string }; items?: KubernetesObject[] };
    try {
      list = JSON.parse(body) as typeof list;
    } catch (error) {
      throw new Error(`list is not valid JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(list.items)) throw new Error('list has no items');
    this.store.clear();
    for (const item of list.items) if (item?.metadata?.name) this.store.set(keyOf(item), item);
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    this.synced = true;
    this.changed();
  }

  /** Watches until the server ends the stream; returns the number of events seen. */
  private async watch(receiving: () => void): Promise<number> {
    const seconds = MIN_WATCH_SECONDS + Math.floor(Math.random() * MIN_WATCH_SECONDS);
    const params: Record<string, string> = { watch: '1', allowWatchBookmarks: 'true', timeoutSeconds: String(seconds) };
    if (this.resourceVersion) params.resourceVersion = this.resourceVersion;
    // The server ends the watch after `seconds`; a connection that went silent is ended here.
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout((seconds + 60) * 1000)]);
    const response = await httpGet(this.url(params), this.connection, signal);
    if (response.statusCode === 410) {
      response.resume();
      throw new Gone();
    }
    if (response.statusCode !== 200) throw statusError(response.statusCode ?? 0, await readBody(response, MAX_LIST_BYTES));
    receiving();
    let events = 0;
    try {
      for await (const line of lines(response)) {
        if (line.trim() === '') continue;
        let event: { type?: string; object?: KubernetesObject & { code?: number; message?: string } };
        try {
          event = JSON.parse(line) as typeof event;
        } catch (error) {
          throw new Error(`watch event is not valid JSON: ${(error as Error).message}`);
        }
        events++;
        this.apply(event.type, event.object);
      }
    } finally {
      response.destroy();
    }
    return events;
  }

  private apply(type: string | undefined, object: (KubernetesObject & { code?: number; message?: string }) | undefined): void {
    if (type === 'ERROR') {
      if (object?.code === 410) throw new Gone();
      throw new HttpError(`watch error: ${object?.message ?? JSON.stringify(object)}`, object?.code);
    }
    this.gone = 0;
    if (!object?.metadata) return;
    if (object.metadata.resourceVersion) this.resourceVersion = object.metadata.resourceVersion;
    switch (type) {
      case 'ADDED':
      case 'MODIFIED':
        this.store.set(keyOf(object), object);
        this.changed();
        break;
      case 'DELETED':
        if (this.store.delete(keyOf(object))) this.changed();
        break;
      default: // BOOKMARK: only the resourceVersion moves on
    }
  }
}

export function keyOf(object: KubernetesObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

/** The API server's Status message when the answer carries one. */
function statusError(status: number, body: string): HttpError {
  let message = body.trim().slice(0, 300);
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // not JSON: the text as it is
  }
  return new HttpError(`server returned HTTP status ${status}${message ? `: ${message}` : ''}`, status);
}

/** Newline-delimited lines of a streaming response. */
async function* lines(response: IncomingMessage): AsyncGenerator<string> {
  let pending = '';
  response.setEncoding('utf8');
  for await (const chunk of response as AsyncIterable<string>) {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) !== -1) {
      yield pending.slice(0, newline);
      pending = pending.slice(newline + 1);
    }
    if (pending.length > MAX_EVENT_BYTES) {
      throw new Error(`watch event larger than ${MAX_EVENT_BYTES} bytes`);
    }
  }
  if (pending.trim() !== '') yield pending;
}
