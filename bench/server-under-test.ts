import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { SERVER_ENVIRONMENT, SERVER_NODE_FLAGS } from '../src/server-node-flags.js';
import { freePort } from '../test/support/periskop-under-test.js';
import { waitFor } from '../test/support/wait-for.js';

// The built server (dist/main.js, `npm run build` first) as a child process, as an operator
// runs it, with what the end-to-end benchmarks read off it: its projection checkpoint, CPU
// time and resident memory (from /proc).

const CLOCK_TICKS_PER_SECOND = 100;

export class ServerUnderTest {
  private output = '';
  private stopping = false;
  /** Rejects when the server exits on its own, with the end of its output. */
  private readonly died: Promise<never>;

  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
    readonly dir: string,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000)));
    child.stderr!.on('data', (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000)));
    this.died = new Promise((_, reject) =>
      child.once('exit', (code, signal) => {
        if (!this.stopping) reject(new Error(`periskop exited during the benchmark (code ${code}, signal ${signal}):\n${this.output.slice(-5_000)}`));
      }),
    );
    // A death no one waits on (whileRunning) is not an unhandled rejection.
    this.died.catch(() => {});
  }

  /**
   * `promise`, or the server's death if it comes first: what only the server's work resolves
   * (simulated instances waiting to be scraped) must not wait forever for a dead server.
   */
  whileRunning<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.died]);
  }

  /**
   * `config(dir)` is the config file's content; `dir` is a temporary directory for its files,
   * which `prepare(dir)` may fill (an event log to project) before the server starts.
   */
  static async start(root: string, config: (dir: string) => unknown, prepare?: (dir: string) => Promise<void>): Promise<ServerUnderTest> {
    const dir = await mkdtemp(join(tmpdir(), 'periskop-bench-server-'));
    await prepare?.(dir);
    const file = join(dir, 'periskop.yaml');
    await writeFile(file, dump(config(dir)));
    const port = await freePort();
    // Started as npm start and the image start it (flags and environment); BENCH_SERVER_NODE_ARGS adds flags, e.g. to
    // profile it ("--cpu-prof --cpu-prof-dir=/tmp/prof"), or overrides them (V8 takes the last).
    const nodeArgs = [...SERVER_NODE_FLAGS, ...(process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter(Boolean)];
    const child = spawn(process.execPath, [...nodeArgs, join(root, 'dist', 'main.js'), '--config', file, '--port', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...SERVER_ENVIRONMENT, CONFIG_FILE: '', PORT: '' },
    });
    const server = new ServerUnderTest(child, `http://127.0.0.1:${port}`, dir);
    let exited = false;
    child.once('exit', () => (exited = true));
    await waitFor(
      () => {
        if (exited) throw new Error(`periskop exited during start:\n${server.output}`);
        return server.output.includes('periskop listening on');
      },
      60_000,
      'periskop to listen',
    );
    return server;
  }

  get pid(): number {
    return this.child.pid!;
  }

  async projection(): Promise<{ checkpoint: number; head: number }> {
    const response = await fetch(`${this.baseUrl}/-/projection`);
    return (await response.json()) as { checkpoint: number; head: number };
  }

  /** Waits until everything in the log when called is projected (visible in the API). */
  async drained(timeoutMs = 600_000, pollMs = 20): Promise<void> {
    const { head } = await this.projection();
    await waitFor(async () => (await this.projection()).checkpoint >= head, timeoutMs, `projection to reach ${head}`, pollMs);
  }

  /** CPU seconds (user + system) the server has used so far. */
  cpuSeconds(): number {
    const fields = readFileSync(`/proc/${this.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  }

  /** Resident set size now, in bytes. */
  rssBytes(): number {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : NaN;
  }

  async stop(keep = false): Promise<void> {
    this.stopping = true;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    if (keep) process.stderr.write(`kept ${this.dir}\n`);
    else await rm(this.dir, { recursive: true, force: true });
  }
}
