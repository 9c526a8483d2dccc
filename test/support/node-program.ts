import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from './wait-for.js';

/**
 * A Node program run as a child process the way a container runs it (own working directory,
 * own environment), started once its output shows `readyText`.
 */
export class NodeProgram {
  private output = '';

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  static async start(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; readyText: string }): Promise<NodeProgram> {
    const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const program = new NodeProgram(child);
    let exited = false;
    child.once('exit', () => (exited = true));
    await waitFor(() => {
      if (exited) throw new Error(`${args.join(' ')} exited during start:\n${program.output}`);
      return program.output.includes(options.readyText);
    }, 20_000, `${args.join(' ')} to print "${options.readyText}"`);
    return program;
  }

  get log(): string {
    return this.output;
  }

  /** SIGTERM, as `docker stop` sends, and wait for the exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** Runs a Node command to its end and returns its exit code (for health-check commands). */
export async function exitCodeOf(args: string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
