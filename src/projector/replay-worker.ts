import { parentPort, workerData } from 'node:worker_threads';
import { EmbeddedEventLog } from '../events/embedded-event-log.js';
import { EventStore } from '../events/event-store.js';
import { apply, emptyProjectionState } from './projection.js';
import type { ProjectionOptions } from './projection-options.js';
import { sharesOf } from './replay-shares.js';
import { packOccurrenceTexts, referOccurrences, resolveOccurrences, type ReadEvents } from './occurrence-refs.js';
import { dropExpiredBuckets, takeChangedBuckets, takeChanges, type ShareChanges } from './share-fold.js';

// One worker thread of a parallel replay (parallel-replay.ts): reads the embedded log itself,
// decodes and folds only the events of its share of the services, and hands its changes to
// the writer when asked. Messages are answered in the order they arrive.

export interface ReplayWorkerData {
  logDir: string;
  share: number;
  workers: number;
  /** Service token → worker, planned from the log (replay-shares.ts). */
  shares: Map<string, number>;
  options: ProjectionOptions;
  /** First sequence to fold. */
  fromSeq: number;
  readEvents: number;
}

export type ReplayWorkerRequest =
  /** Fold the share's events up to this sequence. */
  | { type: 'fold'; through: number }
  /** Hand over what changed since the last hand-over. */
  | { type: 'handOver' }
  /** Hand over the buckets changed since they were last handed over, ahead of the rest. */
  | { type: 'handOverBuckets' }
  /** The writer committed a batch whose newest snapshot was at `newestAt`: retention ran. */
  | { type: 'committed'; newestAt: number };

export type ReplayWorkerReply =
  | { type: 'folded'; through: number; events: number; newestEventAt: number | null; aggregates: number; changedRecords: number; changedAggregates: number }
  | { type: 'handedOver'; changes: ShareChanges }
  | { type: 'bucketsHandedOver'; buckets: Map<string, number> };

/** Sequences read back per statement (bound as one JSON list). */
const READ_BACK_CHUNK = 1_000;

async function run(data: ReplayWorkerData): Promise<void> {
  const port = parentPort!;
  const log = EmbeddedEventLog.open(data.logDir);
  const events = new EventStore(log);
  const state = emptyProjectionState(data.options);
  const mine = sharesOf(data.shares, data.share);
  let read = data.fromSeq - 1;
  // The occurrences handed over, read back from the log (occurrence-refs.ts).
  const readBack: ReadEvents = async (seqs, onEvent) => {
    for (let i = 0; i < seqs.length; i += READ_BACK_CHUNK) await events.decodeEach(log.readSeqs(seqs.slice(i, i + READ_BACK_CHUNK)), onEvent);
  };
  // Requests are handled one at a time, in order: a fold is asynchronous (log reads).
  let queue = Promise.resolve();
  port.on('message', (request: ReplayWorkerRequest) => {
    queue = queue.then(() => handle(request)).catch((error: unknown) => {
      // Reaches the writer as the worker's 'error' event.
      setImmediate(() => {
        throw error;
      });
    });
  });

  async function handle(request: ReplayWorkerRequest): Promise<void> {
    switch (request.type) {
      case 'fold': {
        let folded = 0;
        let newestEventAt: number | null = null;
        while (read < request.through) {
          const through = Math.min(read + data.readEvents, request.through);
          await events.decodeEach(log.readServices(read + 1, through, mine), (recorded) => {
            const { event } = recorded;
            referOccurrences(recorded);
            apply(state, event);
            newestEventAt = Math.max(newestEventAt ?? event.at, event.at);
            folded++;
          });
          read = through;
        }
        const { changed } = state;
        const reply: ReplayWorkerReply = {
          type: 'folded',
          through: read,
          events: folded,
          newestEventAt,
          aggregates: state.aggregates.size,
          changedAggregates: changed.aggregates.size,
          changedRecords: changed.targetTotals.size + changed.buckets.size + changed.targetRows.size + changed.breakdown.size,
        };
        port.postMessage(reply);
        return;
      }
      case 'handOver': {
        const changes = takeChanges(state);
        changes.aggregates = await resolveOccurrences(changes.aggregates, readBack);
        const reply: ReplayWorkerReply = { type: 'handedOver', changes };
        port.postMessage(reply, packOccurrenceTexts(changes.aggregates.values()));
        return;
      }
      case 'handOverBuckets': {
        const reply: ReplayWorkerReply = { type: 'bucketsHandedOver', buckets: takeChangedBuckets(state) };
        port.postMessage(reply);
        return;
      }
      case 'committed':
        dropExpiredBuckets(state, request.newestAt);
        return;
      default: {
        const unknown: never = request;
        throw new Error(`unknown replay worker request ${JSON.stringify(unknown)}`);
      }
    }
  }
}

void run(workerData as ReplayWorkerData);
