import type { Worker } from 'node:worker_threads';

/** What a read-model thread posts once its connection is open (sqlite-writer-worker.ts, wal-checkpointer.ts). */
export interface StartedMessage {
  started: true;
}

/**
 * Settles once `thread` posts StartedMessage, or exits or fails before: ReadModelDatabase.ready()
 * waits for it, so the first batches are not written while a thread starts (a new isolate, its
 * modules, its connection: ~50 ms of CPU). Resolves to whether it started.
 */
export function threadStarted(thread: Worker): Promise<boolean> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if ((message as Partial<StartedMessage> | null)?.started) settle(true);
    };
    const onEnd = () => settle(false);
    const settle = (started: boolean) => {
      thread.off('message', onMessage).off('exit', onEnd).off('error', onEnd);
      resolve(started);
    };
    thread.on('message', onMessage).once('exit', onEnd).once('error', onEnd);
  });
}
