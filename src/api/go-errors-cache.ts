import { PreparedBody } from './prepared-body.js';

// GET /services/:service/errors/ sends every open error with its occurrences: hundreds of KB
// to MBs of JSON, the same bytes until the projector commits again. The body is kept per
// service with the read model's applied sequence it was built at (read-model-queries.ts
// appliedSeq) and rebuilt only when that moved, so repeated GETs (dashboards, the UI, load
// balancer probes) cost no query at all while the sequence is memoised (applied-seq-memo.ts).
// Concurrent requests for a body not built yet share one build.

const MAX_SERVICES = 64;
const MAX_BYTES = 128 * 1024 * 1024;
/** One body may take half the budget: 10,000 aggregates with their occurrences are ~22 MB. */
const MAX_BODY_BYTES = MAX_BYTES / 2;

interface Entry {
  seq: number;
  body: PreparedBody;
}

export class GoErrorsCache {
  private readonly entries = new Map<string, Entry>();
  private readonly building = new Map<string, { seq: number; body: Promise<PreparedBody | null> }>();
  private bytes = 0;

  /**
   * The body for `service` at sequence `seq`, built from the text `build` returns when not
   * cached at that sequence; null when `build` finds no such service (not remembered).
   */
  body(service: string, seq: number, build: () => Promise<string | null>): Promise<PreparedBody | null> {
    const cached = this.entries.get(service);
    if (cached && cached.seq === seq) return Promise.resolve(cached.body);
    const inFlight = this.building.get(service);
    if (inFlight && inFlight.seq === seq) return inFlight.body;
    const body = build().then((text) => (text === null ? null : new PreparedBody(text)));
    const flight = { seq, body };
    this.building.set(service, flight);
    const done = () => {
      if (this.building.get(service) === flight) this.building.delete(service);
    };
    body.then((prepared) => {
      done();
      if (prepared) this.store(service, { seq, body: prepared });
    }, done);
    return body;
  }

  private store(service: string, entry: Entry): void {
    this.drop(service);
    if (entry.body.bytes.length > MAX_BODY_BYTES) return;
    this.entries.set(service, entry);
    this.bytes += entry.body.bytes.length;
    while (this.entries.size > MAX_SERVICES || this.bytes > MAX_BYTES) this.drop(this.entries.keys().next().value as string);
  }

  private drop(service: string): void {
    const entry = this.entries.get(service);
    if (!entry) return;
    this.bytes -= entry.body.bytes.length;
    this.entries.delete(service);
  }
}
