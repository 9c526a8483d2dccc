import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type { WritePlan } from './row-writes.js';
import { CheckpointNotAt, moveSqliteCheckpoint, runSqliteWrite } from './sqlite-row-writes.js';
import type { SqliteConnection } from './sqlite-statements.js';
import type { SqliteWriterData, SqliteWriterReply } from './sqlite-writer.js';

// The SQLite writer thread (sqlite-writer.ts): runs each plan it is sent in one transaction on
// its own connection to the read model's file, in the order sent, and answers each.

interface Database extends SqliteConnection {
  pragma(sql: string): unknown;
  transaction(run: () => void): { immediate(): void };
  close(): void;
}

const data = workerData as SqliteWriterData;
const Driver = createRequire(import.meta.url)(data.driver) as new (path: string, options: { fileMustExist: boolean; timeout: number }) => Database;
const db = new Driver(data.path, { fileMustExist: true, timeout: data.busyTimeoutMs });
db.pragma('synchronous = NORMAL');
db.pragma(`wal_autocheckpoint = ${data.autocheckpointPages}`);
const port = parentPort!;
port.postMessage({ started: true } satisfies SqliteWriterReply);

port.on('message', (message: WritePlan | 'stop') => {
  if (message === 'stop') {
    db.close();
    port.close();
    return;
  }
  port.postMessage(write(message));
});

function write(plan: WritePlan): SqliteWriterReply {
  try {
    // Immediate: the write lock is taken at the start, not at the first write.
    db.transaction(() => {
      for (const write of plan.writes) runSqliteWrite(db, write);
      moveSqliteCheckpoint(db, plan.checkpoint);
    }).immediate();
    return { committed: true };
  } catch (error) {
    return { committed: false, message: (error as Error).message ?? String(error), checkpointNotAt: error instanceof CheckpointNotAt };
  }
}
