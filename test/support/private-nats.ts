import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { waitFor } from './wait-for.js';

// Restarting the shared NATS server would disturb everyone else's tests, so tests that need a
// NATS outage run a private nats-server on a free port and stop and start that.

export const NATS_SERVER = '/usr/sbin/nats-server';
export const hasNatsServer = existsSync(NATS_SERVER);

export async function startNatsServer(port: number, storeDir: string): Promise<ChildProcess> {
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

export async function stopNatsServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await exited;
}
