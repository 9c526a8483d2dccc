import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, untilHealthy, type HttpAnswer } from './periskop-under-test.js';
import { waitFor } from './wait-for.js';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** What the projector logs when it starts behind the log (src/projector/projector.ts). */
const CATCHING_UP = /catching up from sequence (\d+) to (\d+)/;
const LISTENING = 'periskop listening on';

/**
 * The real server (`node dist/main.js --config FILE --port N`) on a config file the test
 * owns, so that it can be killed with SIGKILL and started again on the same event log and
 * read model.
 */
export class CrashablePeriskop {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  /** Starts the process (`nodeArgs` go to node, before the script); it is not necessarily listening yet. */
  static async spawn(configFile: string, nodeArgs: readonly string[] = []): Promise<CrashablePeriskop> {
    const port = await freePort();
    const child = spawn(process.execPath, [...nodeArgs, MAIN, '--config', configFile, '--port', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CONFIG_FILE: '', PORT: '' },
    });
    return new CrashablePeriskop(child, `http://127.0.0.1:${port}`);
  }

  static async start(configFile: string, timeoutMs = 20_000, nodeArgs: readonly string[] = []): Promise<CrashablePeriskop> {
    const periskop = await CrashablePeriskop.spawn(configFile, nodeArgs);
    await periskop.listening(timeoutMs);
    return periskop;
  }

  get log(): string {
    return this.output;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  get isListening(): boolean {
    return this.output.includes(LISTENING);
  }

  async listening(timeoutMs = 20_000): Promise<void> {
    await this.waitForOutput(() => this.isListening, timeoutMs, 'periskop to listen');
  }

  /** Listening and its read model migrated (untilHealthy). Only for a database that is up. */
  async ready(timeoutMs = 20_000): Promise<void> {
    await this.listening(timeoutMs);
    await untilHealthy(this.baseUrl, timeoutMs);
  }

  /**
   * Where the projector resumed: the first sequence it applies (its committed checkpoint + 1)
   * and the head it saw, from its log line; null when it started with nothing to catch up.
   * The log line is the signal because a server busy catching up may not answer HTTP.
   */
  async resumedAt(timeoutMs = 20_000): Promise<{ from: number; head: number } | null> {
    const found = await this.waitForOutput(
      async () => {
        const match = CATCHING_UP.exec(this.output);
        if (match) return { from: Number(match[1]), head: Number(match[2]) };
        if (!this.isListening) return null;
        // No line (yet): caught up already? A busy server's answer is not waited for.
        const status = await this.projection(AbortSignal.timeout(200)).catch(() => null);
        return status && status.lag === 0 && !CATCHING_UP.test(this.output) ? 'none' : null;
      },
      timeoutMs,
      'the projector to start',
    );
    return found === 'none' ? null : found;
  }

  async projection(signal?: AbortSignal): Promise<{ checkpoint: number; head: number; lag: number }> {
    return (await this.get('/-/projection', signal)).json();
  }

  /** Waits until everything in the log is visible in the API. */
  async caughtUp(timeoutMs: number): Promise<void> {
    await this.listening(timeoutMs);
    await waitFor(async () => (await this.projection()).lag === 0, timeoutMs, 'the projection to catch up');
  }

  async get(path: string, signal?: AbortSignal): Promise<HttpAnswer> {
    const response = await fetch(this.baseUrl + path, { signal });
    const body = await response.text();
    if (response.status >= 500) throw new Error(`GET ${path}: ${response.status} ${body}\n${this.output}`);
    return { status: response.status, body, json: () => JSON.parse(body) };
  }

  /** kill -9: no shutdown hook runs, whatever was in flight is cut off. */
  async crash(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM and wait for a clean exit. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** Sends `signal` without waiting for anything. */
  send(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** How the process ended: null while it runs. */
  get exit(): { code: number | null; signal: NodeJS.Signals | null } | null {
    return this.exited ? { code: this.child.exitCode, signal: this.child.signalCode } : null;
  }

  private waitForOutput<T>(condition: () => T | null | Promise<T | null>, timeoutMs: number, description: string): Promise<NonNullable<T>> {
    return waitFor(
      async () => {
        const value = await condition();
        if (value) return value;
        if (this.exited) throw new Error(`periskop exited while waiting for ${description}:\n${this.output}`);
        return null;
      },
      timeoutMs,
      description,
    );
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill(signal);
    await exited;
  }
}
