import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EmbeddedEventLog } from '../src/events/embedded-event-log.js';
import { seededRandom } from './support/fleet-history.js';
import { temporaryDir } from './support/test-event-logs.js';
import { waitFor } from './support/wait-for.js';

// kill -9 of a process in the middle of appending to the embedded log: after each crash the log
// must open and read cleanly (SQLite integrity check included), hold every append the writer
// saw acknowledged, at the sequence it was told, and have no gap; the next writer continues it.
//
// EMBEDDED_CRASH_SEED=<n> repeats a run's kill points (timing still varies).

const LOG_MODULE = fileURLToPath(new URL('../dist/events/embedded-event-log.js', import.meta.url));
const SEED = Number(process.env.EMBEDDED_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CRASHES = 5;

// Appends batches of 1-20 messages of up to 256 KiB as fast as it can; prints each
// acknowledged append as `<seq> <id>` once append() has resolved.
const WRITER = `
  const { EmbeddedEventLog } = await import(process.env.LOG_MODULE);
  const log = EmbeddedEventLog.open(process.env.LOG_DIR);
  const round = process.env.ROUND;
  for (let batch = 0; ; batch++) {
    const size = 1 + (batch % 20);
    const messages = Array.from({ length: size }, (_, i) => ({
      subject: 'SnapshotScraped.svc',
      id: round + '-' + batch + '-' + i,
      data: Buffer.alloc(((batch * 7919 + i * 104729) % 262144) + 1, 97 + (i % 26)),
    }));
    const results = await log.append(messages);
    process.stdout.write(results.map((r, i) => r.seq + ' ' + messages[i].id + '\\n').join(''));
  }
`;

interface Acked {
  seq: number;
  id: string;
}

/** Runs a writer and kills it with SIGKILL after `killAfterMs`; returns what it saw acknowledged. */
async function writeUntilKilled(dir: string, round: number, killAfterMs: number): Promise<Acked[]> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER], {
    env: { ...process.env, LOG_MODULE, LOG_DIR: dir, ROUND: String(round) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  // Kill only once it is writing, so every round crashes mid-append rather than at start.
  await waitFor(() => out.length > 0 || err.length > 0, 10_000, 'the writer to append');
  if (err) throw new Error(`writer failed: ${err}`);
  await new Promise((resolve) => setTimeout(resolve, killAfterMs));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  // Only complete lines were acknowledged before the kill.
  return out
    .split('\n')
    .filter((line) => /^\d+ \S+$/.test(line))
    .map((line) => {
      const [seq, id] = line.split(' ');
      return { seq: Number(seq), id: id! };
    });
}

describe('embedded log killed mid-write', () => {
  it(`stays readable and keeps every acknowledged append (seed ${SEED})`, async () => {
    const random = seededRandom(SEED);
    const { dir, remove } = await temporaryDir();
    const acked: Acked[] = [];
    try {
      for (let round = 0; round < CRASHES; round++) {
        acked.push(...(await writeUntilKilled(dir, round, 20 + Math.floor(random() * 300))));

        const sqlite = new Database(join(dir, 'events.sqlite'));
        expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
        const ids = new Map((sqlite.prepare('SELECT seq, msg_id FROM messages').all() as { seq: number; msg_id: string }[]).map((r) => [r.seq, r.msg_id]));
        sqlite.close();

        const log = EmbeddedEventLog.open(dir);
        const head = await log.head();
        let seen = 0;
        for (let from = 1; from <= head; ) {
          const batch = await log.read(from, 500);
          // No gap: sequences run 1..head.
          batch.forEach((message, i) => expect(message.seq).toBe(from + i));
          seen += batch.length;
          from += batch.length;
        }
        await log.close();
        expect(seen).toBe(head);
        expect(acked.length).toBeGreaterThan(0);
        const lost = acked.filter(({ seq, id }) => ids.get(seq) !== id);
        expect(lost).toEqual([]);
      }
    } finally {
      await remove();
    }
  }, 120_000);
});
