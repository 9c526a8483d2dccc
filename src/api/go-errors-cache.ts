// GET /services/:service/errors/ sends every open error with its occurrences: hundreds of KB
// to MBs of JSON, the same bytes until the projector commits again. The body is kept per
// service with the read model's applied sequence it was built at (read-model-queries.ts
// appliedSeq) and rebuilt only when that moved, so repeated GETs (dashboards, the UI, load
// balancer probes) cost two small queries, not a parse and a serialisation of everything.

const MAX_SERVICES = 64;
const MAX_BYTES = 64 * 1024 * 1024;

interface Entry {
  seq: number;
  body: string;
}

export class GoErrorsCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  /** The body for `service` at sequence `seq`, built by `build` when not cached at that sequence. */
  async body(service: string, seq: number, build: () => Promise<string>): Promise<string> {
    const cached = this.entries.get(service);
    if (cached && cached.seq === seq) return cached.body;
    const body = await build();
    this.store(service, { seq, body });
    return body;
  }

  private store(service: string, entry: Entry): void {
    this.drop(service);
    if (entry.body.length > MAX_BYTES / 4) return;
    this.entries.set(service, entry);
    this.bytes += entry.body.length;
    while (this.entries.size > MAX_SERVICES || this.bytes > MAX_BYTES) this.drop(this.entries.keys().next().value as string);
  }

  private drop(service: string): void {
    const entry = this.entries.get(service);
    if (!entry) return;
    this.bytes -= entry.body.length;
    this.entries.delete(service);
  }
}
