import type { EventToPublish } from '../../src/events/event-store.js';
import type { ErrorResolvedV1, PeriskopEvent, SnapshotScrapedV1 } from '../../src/events/events.js';
import type { AggregatedErrorPayload, ErrorOccurrence, Severity } from '../../src/scraper/payload.types.js';
import { seededRandom } from '../../bench/synthetic-fleet.js';

// A random but reproducible history of a fleet (cumulative totals that grow, counter resets,
// restarted instances with a new target_uuid, new keys appearing, occurrences sent again,
// resolves and regressions), and `Ledger`, the expected API answer computed from it by plain
// arithmetic over DESIGN.md's rules. The ledger deliberately shares no code with the
// projector: it is what the projector is checked against.

// Seeded, so a failing run can be repeated with its seed (the benchmark's generator).
export { seededRandom };

/** One element of `GET /services/:service/errors/`, reduced to what the ledger predicts. */
export interface ExpectedError {
  aggregation_key: string;
  total_count: number;
  severity: Severity;
  created_at: number;
  /** uuids of latest_errors, in the API's order (newest first, capped at 100). */
  latest: string[];
}

const LATEST_CAP = 100;

interface LedgerEntry {
  total: number;
  resolved: boolean;
  severity: Severity;
  firstSeenMs: number;
  occurrences: Map<string, number>;
}

export class Ledger {
  /** Last total per (service, target_uuid, key). */
  private lastTotals = new Map<string, number>();
  private errors = new Map<string, Map<string, LedgerEntry>>();

  apply(event: PeriskopEvent): void {
    if (event.type === 'SnapshotScraped') {
      const keys = this.serviceErrors(event.service);
      for (const report of event.data.aggregated_errors) {
        const id = JSON.stringify([event.service, event.data.target_uuid, report.aggregation_key]);
        const last = this.lastTotals.get(id);
        // First report of an instance counts whole; a lower total is a restart: all of it is new.
        const delta = last === undefined || report.total_count < last ? report.total_count : report.total_count - last;
        this.lastTotals.set(id, report.total_count);
        const timestamps = report.latest_errors.map((o) => o.timestamp);
        const candidates = [...(report.created_at === null ? [] : [report.created_at]), ...timestamps];
        const firstSeen = candidates.length > 0 ? Math.min(...candidates) : event.at;
        let entry = keys.get(report.aggregation_key);
        if (!entry) {
          entry = { total: 0, resolved: false, severity: report.severity, firstSeenMs: firstSeen, occurrences: new Map() };
          keys.set(report.aggregation_key, entry);
        }
        entry.total += delta;
        if (delta > 0) entry.resolved = false;
        entry.severity = report.severity;
        entry.firstSeenMs = Math.min(entry.firstSeenMs, firstSeen);
        for (const o of report.latest_errors) if (!entry.occurrences.has(o.uuid)) entry.occurrences.set(o.uuid, o.timestamp);
      }
    } else if (event.type === 'ErrorResolved') {
      const entry = this.errors.get(event.service)?.get(event.data.aggregation_key);
      if (entry) entry.resolved = true;
    }
  }

  services(): string[] {
    return [...this.errors.keys()].sort();
  }

  /** Keys ever reported for a service (resolved or not). */
  keysOf(service: string): string[] {
    return [...(this.errors.get(service)?.keys() ?? [])];
  }

  /** The open errors of a service, sorted by key. */
  expected(service: string): ExpectedError[] {
    const out: ExpectedError[] = [];
    for (const [key, entry] of this.errors.get(service) ?? []) {
      if (entry.resolved) continue;
      const latest = [...entry.occurrences]
        .sort(([ua, ta], [ub, tb]) => tb - ta || (ua < ub ? -1 : ua > ub ? 1 : 0))
        .slice(0, LATEST_CAP)
        .map(([uuid]) => uuid);
      out.push({
        aggregation_key: key,
        total_count: entry.total,
        severity: entry.severity,
        created_at: Math.floor(entry.firstSeenMs / 1000),
        latest,
      });
    }
    return out.sort(byKey);
  }

  /** Counts of what the history holds, for the test's log. */
  stats(): { services: number; keys: number; resolved: number; total: number } {
    let keys = 0;
    let resolved = 0;
    let total = 0;
    for (const errors of this.errors.values()) {
      for (const entry of errors.values()) {
        keys++;
        if (entry.resolved) resolved++;
        total += entry.total;
      }
    }
    return { services: this.errors.size, keys, resolved, total };
  }

  clone(): Ledger {
    const copy = new Ledger();
    copy.lastTotals = new Map(this.lastTotals);
    copy.errors = new Map(
      [...this.errors].map(([service, keys]) => [
        service,
        new Map([...keys].map(([key, e]) => [key, { ...e, occurrences: new Map(e.occurrences) }])),
      ]),
    );
    return copy;
  }

  private serviceErrors(service: string): Map<string, LedgerEntry> {
    let keys = this.errors.get(service);
    if (!keys) {
      keys = new Map();
      this.errors.set(service, keys);
    }
    return keys;
  }
}

/** The API's answer for one service, reduced the same way as ExpectedError and sorted by key. */
export function reduceAnswer(answer: unknown): ExpectedError[] {
  return (answer as { aggregation_key: string; total_count: number; severity: Severity; created_at: number; latest_errors: { uuid: string }[] }[])
    .map((e) => ({
      aggregation_key: e.aggregation_key,
      total_count: e.total_count,
      severity: e.severity,
      created_at: e.created_at,
      latest: e.latest_errors.map((o) => o.uuid),
    }))
    .sort(byKey);
}

function byKey(a: ExpectedError, b: ExpectedError): number {
  return a.aggregation_key < b.aggregation_key ? -1 : a.aggregation_key > b.aggregation_key ? 1 : 0;
}

export interface HistoryOptions {
  seed: number;
  services: string[];
  targetsPerService: number;
  events: number;
  /** Prefix of the events' de-duplication ids. */
  idPrefix: string;
}

export interface FleetHistory {
  events: EventToPublish[];
  ledger: Ledger;
  counts: { snapshots: number; resets: number; newInstances: number; resolves: number; regressions: number; resentOccurrences: number; unchanged: number };
}

const CLASSES = ['java.lang.IllegalStateException', 'java.io.IOException', 'TypeError', 'ValueError', 'pq: deadlock detected'];

interface TargetState {
  url: string;
  uuid: string;
  run: number;
  totals: Map<string, number>;
}

interface KeyState {
  key: string;
  severity: Severity;
  sent: ErrorOccurrence[];
  /** Resolved and fixed: instances still hold it, but its totals stop growing (until it regresses). */
  fixed: boolean;
}

export function generateHistory(options: HistoryOptions): FleetHistory {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const ledger = new Ledger();
  const counts = { snapshots: 0, resets: 0, newInstances: 0, resolves: 0, regressions: 0, resentOccurrences: 0, unchanged: 0 };
  let at = Date.UTC(2025, 5, 1);
  let occurrenceSeq = 0;
  const fleet = options.services.map((service, s) => {
    const newKey = (k: number): KeyState => ({
      key: `${pick(CLASSES)}@${s}-${k}${k % 3 === 0 ? '/with/slashes' : ''}`,
      severity: pick<Severity>(['error', 'error', 'warning', 'info']),
      sent: [],
      fixed: false,
    });
    return {
      service,
      newKey,
      keys: Array.from({ length: 8 }, (_, k) => newKey(k)),
      reported: [] as KeyState[],
      targets: Array.from({ length: options.targetsPerService }, (_, t): TargetState => ({
        url: `http://${s}-${t}.test:7777/errors`,
        uuid: `${s}-${t}-run0`,
        run: 0,
        totals: new Map(),
      })),
    };
  });

  const events: EventToPublish[] = [];
  for (let i = 0; i < options.events; i++) {
    at += 1 + Math.floor(random() * 20);
    const svc = pick(fleet);
    let event: PeriskopEvent;
    if (random() < 0.02 && svc.reported.length > 0) {
      counts.resolves++;
      const spec = pick(svc.reported);
      if (random() < 0.6) spec.fixed = true;
      event = { type: 'ErrorResolved', version: 1, service: svc.service, at, data: { aggregation_key: spec.key } } satisfies ErrorResolvedV1;
    } else {
      counts.snapshots++;
      if (random() < 0.01) svc.keys.push(svc.newKey(svc.keys.length));
      const target = pick(svc.targets);
      if (random() < 0.004) {
        // The instance restarted and reports under a new target_uuid: its counts start over.
        counts.newInstances++;
        target.run++;
        target.uuid = `${target.url}#run${target.run}`;
        target.totals.clear();
      }
      const chosen = new Set<KeyState>();
      const n = 1 + Math.floor(random() * 4);
      while (chosen.size < Math.min(n, svc.keys.length)) chosen.add(pick(svc.keys));
      // A fixed key is only reported by instances that still hold it.
      const reporting = [...chosen].filter((spec) => !spec.fixed || target.totals.has(spec.key));
      const reports: AggregatedErrorPayload[] = reporting.map((spec) => {
        const last = target.totals.get(spec.key) ?? 0;
        let total: number;
        let fresh: number;
        if (spec.fixed && random() < 0.03) {
          counts.regressions++;
          spec.fixed = false;
        }
        const roll = random();
        if (spec.fixed) {
          // Still held, not growing: must stay hidden.
          counts.unchanged++;
          total = last;
          fresh = 0;
        } else if (last > 1 && roll < 0.08) {
          // Counter reset: the same target_uuid reports a lower total.
          counts.resets++;
          total = 1 + Math.floor(random() * (last - 1));
          fresh = Math.min(total, 2);
        } else if (last > 0 && roll < 0.13) {
          counts.unchanged++;
          total = last;
          fresh = 0;
        } else {
          const increase = 1 + Math.floor(random() * 5);
          total = last + increase;
          fresh = Math.min(increase, 3);
        }
        target.totals.set(spec.key, total);
        if (random() < 0.01) spec.severity = pick<Severity>(['error', 'warning', 'info']);
        const occurrences: ErrorOccurrence[] = [];
        for (let o = 0; o < fresh; o++) {
          occurrenceSeq++;
          const occurrence: ErrorOccurrence = {
            error: {
              class: spec.key.split('@')[0]!,
              message: `failure #${occurrenceSeq}`,
              stacktrace: [`at handler${occurrenceSeq % 7} (app.js:${occurrenceSeq % 300})`, 'at process (node:internal)'],
              cause: null,
            },
            uuid: `occ-${options.seed}-${occurrenceSeq}`,
            timestamp: at - Math.floor(random() * 5_000),
            severity: spec.severity,
            http_context: null,
          };
          occurrences.push(occurrence);
          spec.sent.push(occurrence);
        }
        if (spec.sent.length > 0 && random() < 0.3) {
          // The client still holds an occurrence already recorded: it must count once.
          counts.resentOccurrences++;
          const again = pick(spec.sent);
          if (!occurrences.includes(again)) occurrences.push(again);
        }
        if (!svc.reported.includes(spec)) svc.reported.push(spec);
        return {
          aggregation_key: spec.key,
          total_count: total,
          severity: spec.severity,
          created_at: random() < 0.03 ? at - 3_600_000 - Math.floor(random() * 3_600_000) : null,
          latest_errors: occurrences,
        };
      });
      event = {
        type: 'SnapshotScraped',
        version: 1,
        service: svc.service,
        at,
        data: { target: target.url, target_uuid: target.uuid, source: 'scrape', aggregated_errors: reports },
      } satisfies SnapshotScrapedV1;
    }
    ledger.apply(event);
    events.push({ id: `${options.idPrefix}-${i}`, event });
  }
  return { events, ledger, counts };
}
