import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AggregatedErrorPayload, ErrorOccurrence } from '../src/scraper/payload.types.js';
import { SyntheticFleet } from './synthetic-fleet.js';

// A fleet of service instances serving GET /errors in the client libraries' format, from one
// HTTP server in this process. Instance i is the loopback address 127.0.x.y (all of 127/8 is
// the loopback on Linux), so the scraper sees as many distinct targets as there are
// instances while one listening socket serves them all.
//
// The fleet moves in rounds: `nextRound()` gives `changedKeys` keys of every instance one
// new occurrence (its total grows; the oldest of its latest occurrences drops), as a busy
// service would between two scrapes. Instances share one payload and differ by their uuids
// (an instance prefix replaced per response), so a thousand of them cost one document.
// The document is rendered to bytes once per round with the offsets of its uuid prefixes; an
// answer is a copy of those bytes with the instance's prefix written at each offset. Replacing
// the prefix in the string and encoding it per answer cost the bench process ~0.5 of the two
// cores at 1,000 instances, CPU the server under test then lacked; real instances run elsewhere.

const UUID_PREFIX = '00000000';

export interface InstanceShape {
  instances: number;
  keys: number;
  latest: number;
  changedKeys: number;
  seed: number;
}

export class SimulatedInstances {
  private readonly fleet: SyntheticFleet;
  private readonly errors: AggregatedErrorPayload[];
  private body = Buffer.alloc(0);
  /** Byte offsets of UUID_PREFIX in `body`. */
  private prefixOffsets: number[] = [];
  /** Answer buffers not being written, reused across answers (each as long as `body`). */
  private spareAnswers: Buffer[] = [];
  private roundNumber = 0;
  /** Per instance: the last round it served. */
  private readonly servedRound: Int32Array;
  private servedThisRound = 0;
  private allServed!: () => void;
  /** Resolves once every instance has served the current round. */
  roundServed!: Promise<void>;
  /** Occurrence uuid → when it was first served, for freshness. */
  private readonly watched = new Map<string, number | null>();
  private server: Server | null = null;
  port = 0;

  constructor(private readonly shape: InstanceShape) {
    if (shape.instances > 65_000) throw new Error('at most 65,000 simulated instances');
    this.fleet = new SyntheticFleet({ services: 1, targetsPerService: 1, keysPerService: shape.keys, stackFrames: 20, seed: shape.seed });
    this.errors = this.fleet.instancePayload(0, shape.keys, shape.latest, 0).map((e) => ({
      ...e,
      latest_errors: e.latest_errors.map((o) => this.prefixed(o)),
    }));
    this.servedRound = new Int32Array(shape.instances).fill(-1);
    this.render();
    this.roundServed = new Promise((resolve) => (this.allServed = resolve));
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const instance = instanceOf(request.socket.localAddress ?? '');
      if (request.url !== '/errors' || instance < 0 || instance >= this.shape.instances) {
        response.writeHead(404).end();
        return;
      }
      const now = performance.now();
      const answer = this.answerFor(instance);
      response.writeHead(200, { 'content-type': 'application/json' }).end(answer, () => this.spareAnswers.push(answer));
      if (instance === 0) for (const [uuid, at] of this.watched) if (at === null) this.watched.set(uuid, now);
      if (this.servedRound[instance] !== this.roundNumber) {
        this.servedRound[instance] = this.roundNumber;
        this.servedThisRound += 1;
        if (this.servedThisRound === this.shape.instances) this.allServed();
      }
    });
    // Instances of a busy fleet answer together: no connection limit on our side.
    this.server.maxConnections = 100_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '0.0.0.0', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** `host:port` of every instance, for a static_configs entry. */
  targets(): string[] {
    return Array.from({ length: this.shape.instances }, (_, i) => `${addressOf(i)}:${this.port}`);
  }

  /** Bytes one instance serves. */
  get payloadBytes(): number {
    return this.body.length;
  }

  /** Starts the next round; `roundServed` resolves once every instance has served it. */
  nextRound(): void {
    this.roundNumber += 1;
    for (let k = 0; k < this.shape.changedKeys; k++) this.addOccurrence((this.roundNumber * this.shape.changedKeys + k) % this.shape.keys);
    this.render();
    this.servedThisRound = 0;
    this.roundServed = new Promise((resolve) => (this.allServed = resolve));
  }

  /** Adds one new occurrence to instance 0's first key; returns its uuid (as instance 0 serves it). */
  newWatchedOccurrence(): string {
    const occurrence = this.addOccurrence(0);
    this.render();
    const uuid = occurrence.uuid.replace(UUID_PREFIX, '0'.repeat(8));
    this.watched.set(uuid, null);
    return uuid;
  }

  /** performance.now() when the watched occurrence was first served, null while not yet. */
  servedAt(uuid: string): number | null {
    return this.watched.get(uuid) ?? null;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private addOccurrence(k: number): ErrorOccurrence {
    const key = this.errors[k]!;
    const occurrence = this.prefixed({ ...this.fleet.newOccurrence(0, k), timestamp: Date.now() });
    key.total_count += 1;
    key.latest_errors = [occurrence, ...key.latest_errors].slice(0, this.shape.latest);
    return occurrence;
  }

  private prefixed(o: ErrorOccurrence): ErrorOccurrence {
    return { ...o, uuid: UUID_PREFIX + o.uuid.slice(8) };
  }

  private render(): void {
    const wire = this.errors.map((e) => ({
      ...e,
      latest_errors: e.latest_errors.map((o) => ({ ...o, timestamp: new Date(o.timestamp).toISOString() })),
    }));
    this.body = Buffer.from(JSON.stringify({ target_uuid: `${UUID_PREFIX}-instance`, aggregated_errors: wire }));
    this.prefixOffsets = [];
    for (let at = this.body.indexOf(UUID_PREFIX); at >= 0; at = this.body.indexOf(UUID_PREFIX, at + UUID_PREFIX.length)) this.prefixOffsets.push(at);
    this.spareAnswers = [];
  }

  private answerFor(instance: number): Buffer {
    let answer = this.spareAnswers.pop();
    // A buffer of an earlier round has another length: it is left to the garbage collector.
    while (answer && answer.length !== this.body.length) answer = this.spareAnswers.pop();
    answer ??= Buffer.allocUnsafe(this.body.length);
    this.body.copy(answer);
    const prefix = instance.toString(16).padStart(8, '0');
    for (const at of this.prefixOffsets) answer.write(prefix, at, 'latin1');
    return answer;
  }
}

function addressOf(i: number): string {
  return `127.0.${1 + (i >> 8)}.${i & 0xff}`;
}

function instanceOf(address: string): number {
  const match = /(?:^|:)127\.0\.(\d+)\.(\d+)$/.exec(address);
  return match ? ((Number(match[1]) - 1) << 8) + Number(match[2]) : -1;
}
