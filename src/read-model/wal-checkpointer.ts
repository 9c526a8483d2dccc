import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import { threadStarted } from './thread-started.js';

// A SQLite read model's write-ahead log is copied into the database file (checkpointed) by a
// thread of its own. Left to SQLite, the commit that takes the log past 1,000 pages copies it
// on the committing thread, fsyncs included: the live projector's commits (a batch writes
// ~15 MB) each paid for one, 3–4 % of its CPU time and up to 9 % of its wall time. A passive checkpoint
// from another connection only copies committed pages and never blocks the writer; once
// everything is copied, the writer's next transaction starts the log over.

/** How often the thread checkpoints; doing so when nothing was committed costs a look at the log's index. */
export const WAL_CHECKPOINT_EVERY_MS = 100;
/**
 * The writer's own automatic checkpoint stays as a backstop, should the thread fall behind or
 * fail: at 10,000 pages (160 MB of 16 KiB pages) instead of SQLite's 1,000, which one live
 * batch alone could reach.
 */
export const WRITER_AUTOCHECKPOINT_PAGES = 10_000;

export interface WalCheckpointerData {
  /** better-sqlite3's module, resolved by the caller: an eval'd worker resolves from the working directory. */
  driver: string;
  path: string;
  everyMs: number;
}

// The loop is evaluated rather than loaded from a file so that it runs the same from the built
// server and from the TypeScript sources the tests run (a worker cannot load those).
const CHECKPOINT_LOOP = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
parentPort.postMessage({ started: true });
let reported = false;
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    reported = false;
  } catch (error) {
    if (!reported) parentPort.postMessage({ failed: String((error && error.message) || error) });
    reported = true;
  }
}, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** Checkpoints the WAL of the SQLite file at `path` from a worker thread until stopped. */
export class WalCheckpointer {
  private readonly logger = new Logger('ReadModel');
  private readonly exited: Promise<void>;
  /** Settles once the thread is up or has failed to start (threadStarted). */
  readonly started: Promise<boolean>;

  private constructor(private readonly thread: Worker) {
    this.started = threadStarted(thread);
    thread.on('message', (message: { failed?: string }) => {
      if (message.failed) this.logger.warn(`WAL checkpoint failed (the writer checkpoints past ${WRITER_AUTOCHECKPOINT_PAGES} pages meanwhile): ${message.failed}`);
    });
    this.exited = new Promise((resolve) => thread.once('exit', () => resolve()));
    thread.on('error', (error) => this.logger.error(`WAL checkpoint thread stopped (the writer checkpoints past ${WRITER_AUTOCHECKPOINT_PAGES} pages from now on): ${error.message}`));
    // It must not keep a process alive that is otherwise done.
    thread.unref();
  }

  static start(path: string, everyMs = WAL_CHECKPOINT_EVERY_MS): WalCheckpointer {
    const data: WalCheckpointerData = { driver: createRequire(import.meta.url).resolve('better-sqlite3'), path, everyMs };
    // The loop allocates next to nothing: a small heap keeps the thread's memory small.
    return new WalCheckpointer(new Worker(CHECKPOINT_LOOP, { eval: true, workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 } }));
  }

  /** Stops the loop and closes its connection. */
  async stop(): Promise<void> {
    this.thread.postMessage('stop');
    await this.exited;
  }
}
