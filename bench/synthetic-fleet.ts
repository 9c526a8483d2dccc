import type { SnapshotScrapedV1 } from '../src/events/events.js';
import type { AggregatedErrorPayload, ErrorOccurrence, Severity } from '../src/scraper/payload.types.js';

// A deterministic, realistic event log for the benchmarks: a fleet of services whose instances
// report pre-aggregated exceptions, recorded as the scraper records them. A SnapshotScraped
// carries only the keys whose total moved and only their new occurrences, so most events are
// small: 1 changed key (60 %), 2 (25 %) or 3 (15 %), each with 1 new occurrence (70 %) or 2.
// A few (FULL_SNAPSHOT_SHARE) are first scrapes after a Periskop start: every key of the
// target with its client's latest 10 occurrences. Occurrences carry a ~20-frame stack trace
// (30 % with a cause) and an HTTP context, about 2 KB of JSON each.

/** Share of events that are a first scrape carrying the target's whole payload. */
export const FULL_SNAPSHOT_SHARE = 0.002;
/** Occurrences a client keeps per key (the Go client's default). */
export const CLIENT_LATEST_ERRORS = 10;

export interface FleetShape {
  services: number;
  targetsPerService: number;
  keysPerService: number;
  stackFrames: number;
  seed: number;
}

export const DEFAULT_FLEET: Omit<FleetShape, 'seed'> = {
  services: 10,
  targetsPerService: 20,
  keysPerService: 50,
  stackFrames: 20,
};

/** mulberry32: small, fast, good enough to make a benchmark's data reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PACKAGES = ['checkout', 'payments', 'search', 'catalog', 'accounts', 'shipping', 'pricing', 'reviews', 'media', 'gateway'];
const CLASSES = [
  'java.lang.IllegalStateException',
  'java.lang.NullPointerException',
  'java.util.concurrent.TimeoutException',
  'java.io.IOException',
  'org.postgresql.util.PSQLException',
  'com.fasterxml.jackson.core.JsonParseException',
  'io.grpc.StatusRuntimeException',
  'java.lang.IllegalArgumentException',
];
const SEVERITIES: Severity[] = ['error', 'error', 'error', 'warning', 'info'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];

interface KeySpec {
  key: string;
  class: string;
  message: string;
  severity: Severity;
  stack: string[];
}

interface TargetSpec {
  url: string;
  uuid: string;
  totals: Map<number, number>;
}

export class SyntheticFleet {
  private readonly random: () => number;
  private readonly services: { name: string; keys: KeySpec[]; targets: TargetSpec[] }[];
  private occurrenceSeq = 0;
  private clockMs = Date.UTC(2025, 0, 1);

  constructor(private readonly shape: FleetShape) {
    this.random = seededRandom(shape.seed);
    this.services = Array.from({ length: shape.services }, (_, s) => {
      const pkg = PACKAGES[s % PACKAGES.length]!;
      const name = s < PACKAGES.length ? pkg : `${pkg}-${s}`;
      return {
        name,
        keys: Array.from({ length: shape.keysPerService }, (_, k) => this.keySpec(name, pkg, k)),
        targets: Array.from({ length: shape.targetsPerService }, (_, t) => ({
          url: `http://${name}-${t}.${name}.svc.cluster.local:7777/errors`,
          uuid: this.hex(32),
          totals: new Map<number, number>(),
        })),
      };
    });
  }

  /** The next scrape that found something new (see the top of this file for the mix). */
  nextSnapshot(): SnapshotScrapedV1 {
    this.clockMs += 1 + Math.floor(this.random() * 50);
    const service = this.pick(this.services);
    const target = this.pick(service.targets);
    const full = this.random() < FULL_SNAPSHOT_SHARE;
    const changed = new Set<number>();
    const r = this.random();
    const count = full ? service.keys.length : r < 0.6 ? 1 : r < 0.85 ? 2 : 3;
    while (changed.size < count) changed.add(Math.floor(this.random() * service.keys.length));
    const aggregated_errors: AggregatedErrorPayload[] = [...changed].map((k) => {
      const spec = service.keys[k]!;
      const fresh = full ? CLIENT_LATEST_ERRORS : this.random() < 0.7 ? 1 : 2;
      // Clients keep only their latest occurrences: the total grows by more than they show.
      const total = (target.totals.get(k) ?? 0) + fresh + Math.floor(this.random() * 3);
      target.totals.set(k, total);
      return {
        aggregation_key: spec.key,
        total_count: total,
        severity: spec.severity,
        created_at: null,
        latest_errors: Array.from({ length: fresh }, () => this.occurrence(service.name, spec)),
      };
    });
    return {
      type: 'SnapshotScraped',
      version: 1,
      service: service.name,
      at: this.clockMs,
      data: { target: target.url, target_uuid: target.uuid, source: 'scrape', aggregated_errors },
    };
  }

  /**
   * What one instance serves on GET /errors: `keys` aggregated errors, each with its latest
   * `latest` occurrences, totals grown by `round` (so every round changes every key).
   */
  instancePayload(service: number, keys: number, latest: number, round: number): AggregatedErrorPayload[] {
    const s = this.services[service % this.services.length]!;
    return s.keys.slice(0, keys).map((spec, k) => ({
      aggregation_key: spec.key,
      total_count: (round + 1) * (k + 1),
      severity: spec.severity,
      created_at: null,
      latest_errors: Array.from({ length: latest }, () => this.occurrence(s.name, spec)),
    }));
  }

  /** A new occurrence of key `k` of service number `service`. */
  newOccurrence(service: number, k: number): ErrorOccurrence {
    const s = this.services[service % this.services.length]!;
    return this.occurrence(s.name, s.keys[k % s.keys.length]!);
  }

  private occurrence(service: string, spec: KeySpec): ErrorOccurrence {
    this.occurrenceSeq += 1;
    const id = this.occurrenceSeq;
    return {
      error: {
        class: spec.class,
        message: `${spec.message} (request ${id})`,
        stacktrace: spec.stack,
        cause:
          this.random() < 0.3
            ? { class: 'java.net.SocketTimeoutException', message: 'Read timed out', stacktrace: spec.stack.slice(-5), cause: null }
            : null,
      },
      uuid: this.uuid(),
      timestamp: this.clockMs - Math.floor(this.random() * 30_000),
      severity: spec.severity,
      http_context: {
        request_method: this.pick(METHODS),
        request_url: `https://api.example.com/${service}/v1/items/${id}?expand=details`,
        request_headers: {
          Accept: 'application/json',
          'User-Agent': 'okhttp/4.12.0',
          'X-Request-Id': this.uuid(),
        },
        request_body: this.random() < 0.2 ? `{"item":${id},"quantity":${1 + (id % 5)}}` : null,
      },
    };
  }

  private keySpec(service: string, pkg: string, k: number): KeySpec {
    const cls = this.pick(CLASSES);
    const stack = Array.from({ length: this.shape.stackFrames }, (_, f) => {
      const component = ['Controller', 'Service', 'Repository', 'Client', 'Handler'][f % 5]!;
      return `at com.example.${pkg}.${component}${k}.method${f}(${component}${k}.java:${10 + ((k * 31 + f * 7) % 400)})`;
    });
    return {
      key: `${cls}@${this.hex(8)}`,
      class: cls,
      message: `${service}: operation ${k} failed`,
      severity: this.pick(SEVERITIES),
      stack,
    };
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private hex(length: number): string {
    let out = '';
    while (out.length < length) out += Math.floor(this.random() * 0x100000000).toString(16).padStart(8, '0');
    return out.slice(0, length);
  }

  private uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

export function describeFleet(shape: FleetShape): Record<string, unknown> {
  return {
    ...shape,
    mix: `SnapshotScraped: 1 changed key 60 %, 2 25 %, 3 15 %; 1 new occurrence 70 %, 2 30 %; ${FULL_SNAPSHOT_SHARE * 100} % first-scrape snapshots with all ${shape.keysPerService} keys × ${CLIENT_LATEST_ERRORS} occurrences`,
  };
}
