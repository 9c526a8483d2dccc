import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import { packBytes, type WritePlan } from './row-writes.js';
import { CheckpointNotAt } from './sqlite-row-writes.js';
import { threadStarted, type StartedMessage } from './thread-started.js';
import { WRITER_AUTOCHECKPOINT_PAGES } from './wal-checkpointer.js';

// The live projector's commits to a SQLite read model run on a thread of their own. SQLite
// executing a batch's statements was a quarter of the consuming thread's time; here it
// overlaps the next batch's decoding and folding (ProjectionStore.handOver: a plan's values
// are fixed when handed over, and it travels to the thread as a message). Reads stay on the
// main thread's connection: WAL lets them run beside the thread's transaction.

export interface SqliteWriterData {
  /** better-sqlite3's module, resolved by the caller. */
  driver: string;
  path: string;
  busyTimeoutMs: number;
  autocheckpointPages: number;
}

/** The thread's first message says it is up (its connection open); then one reply per plan, in order. */
export type SqliteWriterReply = StartedMessage | { committed: true } | { committed: false; message: string; checkpointNotAt: boolean };

// How long the thread waits for the write lock that another connection holds (a snapshot
// being restored, a rebuild's transaction opened ahead) before its write fails.
const BUSY_TIMEOUT_MS = 10_000;

/**
 * The worker's script: beside this module when built; from the TypeScript sources (the tests)
 * the build's copy. Null when there is none (sources never built): commits stay on the main thread.
 */
function workerScript(): URL | null {
  const beside = new URL('./sqlite-writer-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  const built = new URL('../../dist/read-model/sqlite-writer-worker.js', import.meta.url);
  return existsSync(fileURLToPath(built)) ? built : null;
}

/** Commits write plans to the SQLite file at `path` from a worker thread, in order. */
export class SqliteWriterThread {
  private readonly logger = new Logger('ReadModel');
  private readonly waiting: { resolve: () => void; reject: (error: Error) => void; plan: WritePlan }[] = [];
  private readonly exited: Promise<void>;
  private failure: Error | null = null;
  private isUp = false;
  /** Settles once the thread is up or has failed to start (threadStarted). */
  readonly started: Promise<boolean>;

  private constructor(private readonly thread: Worker) {
    this.started = threadStarted(thread).then((started) => (this.isUp = started));
    thread.on('message', (reply: SqliteWriterReply) => {
      if ('started' in reply) return;
      const next = this.waiting.shift();
      if (!next) return;
      if (reply.committed) next.resolve();
      else next.reject(reply.checkpointNotAt ? new CheckpointNotAt(next.plan.checkpoint) : new Error(`read model write failed: ${reply.message}`));
    });
    thread.on('error', (error) => {
      this.failure = new Error(`SQLite writer thread stopped (commits run on the main thread from now on): ${error.message}`);
      this.logger.error(this.failure.message);
    });
    this.exited = new Promise((resolve) =>
      thread.once('exit', () => {
        this.failure ??= new Error('SQLite writer thread exited');
        for (const w of this.waiting.splice(0)) w.reject(this.failure);
        resolve();
      }),
    );
    // It must not keep a process alive that is otherwise done.
    thread.unref();
  }

  static start(path: string): SqliteWriterThread | null {
    const script = workerScript();
    if (!script) {
      new Logger('ReadModel').warn('no built SQLite writer thread (dist/read-model/sqlite-writer-worker.js): the projector commits on the main thread');
      return null;
    }
    const data: SqliteWriterData = {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      path,
      busyTimeoutMs: BUSY_TIMEOUT_MS,
      autocheckpointPages: WRITER_AUTOCHECKPOINT_PAGES,
    };
    // Plans are garbage once run: a small young generation keeps the thread's memory small.
    return new SqliteWriterThread(new Worker(script, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 4 } }));
  }

  /** Whether the thread has started (its connection open). */
  get up(): boolean {
    return this.isUp;
  }

  /** Whether it still takes plans (a thread that failed leaves the commits to the main thread). */
  get running(): boolean {
    return this.failure === null;
  }

  /**
   * Commits the plan in one transaction; rejects with CheckpointNotAt when the fencing row moved.
   * The plan's byte values are moved to the thread (packBytes): the caller no longer reads them.
   */
  write(plan: WritePlan): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject, plan });
      this.thread.postMessage(plan, packBytes(plan));
    });
  }

  /** Stops the thread once the plans sent so far are written, and closes its connection. */
  async stop(): Promise<void> {
    if (!this.failure) this.thread.postMessage('stop');
    await this.exited;
  }
}
