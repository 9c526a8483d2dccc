import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';
import { waitFor } from './wait-for.js';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Waits until the server at `baseUrl` answers /-/health with 200: it listens before its read
 * model is migrated, and health (like every read) answers 503 until then.
 */
export async function untilHealthy(baseUrl: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => (await fetch(`${baseUrl}/-/health`)).status === 200, timeoutMs, 'the read model to be ready');
}

export interface HttpAnswer {
  status: number;
  body: string;
  json: () => any;
}

/**
 * The real server, started through its command line (`node dist/main.js --config … --port …`)
 * as a child process, exactly as an operator runs it. Tests wait on its projection status
 * (`GET /-/projection`), never on fixed sleeps.
 */
export class PeriskopUnderTest {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
    private readonly dir: string,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  /**
   * `config` is a config file's content, as a Go server site would write it. The server listens
   * before its read model is migrated (reads answer 503 until then), so this waits until
   * /-/health answers 200 unless `until` is 'listening' (a test that starts it without its
   * database).
   */
  static async start(config: unknown, until: 'ready' | 'listening' = 'ready'): Promise<PeriskopUnderTest> {
    const dir = await mkdtemp(join(tmpdir(), 'periskop-under-test-'));
    const file = join(dir, 'periskop.yaml');
    await writeFile(file, dump(config));
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN, '--config', file, '--port', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CONFIG_FILE: '', PORT: '' },
    });
    const periskop = new PeriskopUnderTest(child, `http://127.0.0.1:${port}`, dir);
    let exited = false;
    child.once('exit', () => (exited = true));
    await waitFor(async () => {
      if (exited) throw new Error(`periskop exited during start:\n${periskop.output}`);
      return periskop.output.includes('periskop listening on');
    }, 20_000);
    if (until === 'ready') await untilHealthy(periskop.baseUrl);
    return periskop;
  }

  /** The server process, e.g. to read its memory from /proc. */
  get pid(): number {
    return this.child.pid!;
  }

  get log(): string {
    return this.output;
  }

  async projection(): Promise<{ checkpoint: number; head: number }> {
    return (await this.get('/-/projection')).json();
  }

  /** Waits until everything in the log when called is visible in the API. */
  async settled(): Promise<void> {
    const { head } = await this.projection();
    await waitFor(async () => (await this.projection()).checkpoint >= head, 10_000);
  }

  async get(path: string): Promise<HttpAnswer> {
    const response = await fetch(this.baseUrl + path);
    const body = await response.text();
    return { status: response.status, body, json: () => JSON.parse(body) };
  }

  async delete(path: string): Promise<number> {
    const response = await fetch(this.baseUrl + path, { method: 'DELETE' });
    await response.arrayBuffer();
    return response.status;
  }

  /** SIGTERM and wait for a clean exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
