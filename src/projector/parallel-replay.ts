import { Worker } from 'node:worker_threads';
import type { ProjectionOptions } from './projection-options.js';
import type { ReplayWorkerData, ReplayWorkerReply, ReplayWorkerRequest } from './replay-worker.js';
import type { ShareChanges } from './share-fold.js';

// The writer's side of a parallel replay: worker threads that each read the embedded log and
// fold their share of the services (replay-worker.ts), driven in steps by Projector.replayInParallel.
// Reading and decoding the log (~7 KB of JSON an event) and the fold are most of a replay's
// time, and on one thread they alone stay near 20,000 events/s.

export type FoldProgress = Extract<ReplayWorkerReply, { type: 'folded' }>;

/** What Projector.replayInParallel drives: folds up to a sequence in every share, then hands over. */
export interface ParallelFold {
  /** Resolves once every worker has folded its events up to `through`. */
  fold(through: number): Promise<FoldProgress[]>;
  /** Every worker's changes since the last hand-over. */
  handOver(): Promise<ShareChanges[]>;
  /** Every worker's bucket counts changed since they were last handed over (share-fold.ts takeChangedBuckets). */
  handOverBuckets(): Promise<Map<string, number>[]>;
  /** Tells the workers a commit ran retention as of `newestAt`. */
  committed(newestAt: number): void;
  close(): Promise<void>;
}

export interface ReplayWorkersPlan {
  logDir: string;
  /** Service token → worker (replay-shares.ts). */
  shares: Map<string, number>;
  workers: number;
  options: ProjectionOptions;
  fromSeq: number;
  readEvents: number;
}

const WORKER_SCRIPT = new URL('./replay-worker.js', import.meta.url);
/**
 * A worker's young generation (V8's default is 16 MB per semi-space at most): a read batch of
 * decoded events is tens of megabytes that die young; in a small young generation they are
 * copied into the old one first. 128 MB took a sixth less CPU than the default over 200,000
 * events of the bench's fleet.
 */
const YOUNG_GENERATION_MB = 128;

interface Pending {
  resolve: (reply: ReplayWorkerReply) => void;
  reject: (error: Error) => void;
}

/** One worker thread and the replies it owes, in order. */
class ReplayWorker {
  private readonly pending: Pending[] = [];
  private failure: Error | null = null;

  constructor(private readonly thread: Worker) {
    thread.on('message', (reply: ReplayWorkerReply) => this.pending.shift()?.resolve(reply));
    thread.on('error', (error) => this.fail(error));
    thread.on('exit', (code) => this.fail(new Error(`replay worker exited (code ${code})`)));
  }

  ask<T extends ReplayWorkerReply['type']>(request: ReplayWorkerRequest, expected: T): Promise<Extract<ReplayWorkerReply, { type: T }>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({
        resolve: (reply) => (reply.type === expected ? resolve(reply as Extract<ReplayWorkerReply, { type: T }>) : reject(new Error(`replay worker answered ${reply.type}, expected ${expected}`))),
        reject,
      });
      this.thread.postMessage(request);
    });
  }

  tell(request: ReplayWorkerRequest): void {
    if (!this.failure) this.thread.postMessage(request);
  }

  async terminate(): Promise<void> {
    this.failure ??= new Error('replay worker stopped');
    await this.thread.terminate();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const p of this.pending.splice(0)) p.reject(this.failure);
  }
}

export class ReplayWorkers implements ParallelFold {
  private constructor(private readonly workers: ReplayWorker[]) {}

  static start(plan: ReplayWorkersPlan, script: URL = WORKER_SCRIPT): ReplayWorkers {
    return new ReplayWorkers(
      Array.from({ length: plan.workers }, (_, share) => {
        const data: ReplayWorkerData = { ...plan, share };
        return new ReplayWorker(new Worker(script, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } }));
      }),
    );
  }

  fold(through: number): Promise<FoldProgress[]> {
    return Promise.all(this.workers.map((w) => w.ask({ type: 'fold', through }, 'folded')));
  }

  async handOver(): Promise<ShareChanges[]> {
    const replies = await Promise.all(this.workers.map((w) => w.ask({ type: 'handOver' }, 'handedOver')));
    return replies.map((reply) => reply.changes);
  }

  async handOverBuckets(): Promise<Map<string, number>[]> {
    const replies = await Promise.all(this.workers.map((w) => w.ask({ type: 'handOverBuckets' }, 'bucketsHandedOver')));
    return replies.map((reply) => reply.buckets);
  }

  committed(newestAt: number): void {
    for (const w of this.workers) w.tell({ type: 'committed', newestAt });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
