import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { jest } from '@jest/globals';
import type { StoredMessage } from '../src/events/event-log.js';
import { JetStreamEventLog } from '../src/events/jetstream-event-log.js';
import { temporaryDir } from './support/test-event-logs.js';
import { waitFor } from './support/wait-for.js';

// Restarting the shared NATS server would disturb everyone else's tests, so this one runs a
// private nats-server on a free port and restarts that.

const NATS_SERVER = '/usr/sbin/nats-server';
const describeWithServer = existsSync(NATS_SERVER) ? describe : describe.skip;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function startServer(port: number, storeDir: string): Promise<ChildProcess> {
  const server = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: 'ignore' });
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = createServer().listen(port, '127.0.0.1');
        // Listening succeeds only while the server is not up yet.
        socket.once('listening', () => socket.close(() => resolve(false)));
        socket.once('error', () => resolve(true));
      }),
    10_000,
    'nats-server to listen',
  );
  return server;
}

async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await exited;
}

describeWithServer('JetStream event log across a NATS restart', () => {
  it('keeps appending and consuming, in order, once the server is back', async () => {
    const quiet = [jest.spyOn(console, 'warn'), jest.spyOn(console, 'error')].map((spy) => spy.mockImplementation(() => undefined));
    const port = await freePort();
    const { dir, remove } = await temporaryDir();
    let server = await startServer(port, dir);
    const log = await JetStreamEventLog.connect({ url: `nats://127.0.0.1:${port}`, stream: 'RESTART', subjectPrefix: 'restart' });
    try {
      const received: StoredMessage[] = [];
      const subscription = log.consume({ name: 'survivor', fromSeq: 1, maxBatch: 10 }, async (batch) => {
        received.push(...batch);
      });
      const message = (n: number) => ({ subject: 'Test.a', id: `m${n}`, data: new Uint8Array([n]) });
      await log.append([message(1), message(2)]);
      await waitFor(() => received.length === 2, 10_000, 'the first two');

      await stopServer(server);
      server = await startServer(port, dir);

      expect(await log.append([message(3), message(4)])).toEqual([
        { seq: 3, duplicate: false },
        { seq: 4, duplicate: false },
      ]);
      await waitFor(() => received.some((m) => m.seq === 4), 20_000, 'the consumer to resume');
      expect(received.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
      await subscription.stop();
    } finally {
      await log.close();
      await stopServer(server);
      await remove();
      quiet.forEach((spy) => spy.mockRestore());
    }
  });
});
