import { readdirSync, readFileSync } from 'node:fs';

// CPU time from /proc (Linux), in seconds: of this process's main thread, of all its threads,
// and of the local nats-server, which shares the machine's cores with what is measured.

/** The main thread's CPU (utime + stime of its task, in clock ticks of 10 ms). */
export function mainThreadCpuSeconds(): number {
  return cpuSecondsOf(`/proc/self/task/${process.pid}/stat`);
}

/** Every thread of this process: the main one, the SQLite writer, the WAL checkpointer, V8's helpers. */
export function processCpuSeconds(): number {
  return cpuSecondsOf('/proc/self/stat');
}

/** The local nats-server's, or NaN when none is found. */
export function natsServerCpuSeconds(): number {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'nats-server') return cpuSecondsOf(`/proc/${pid}/stat`);
    } catch {
      // gone meanwhile
    }
  }
  return Number.NaN;
}

function cpuSecondsOf(statFile: string): number {
  const fields = readFileSync(statFile, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A timed pass: seconds of wall time, and of CPU of this process and nats-server together. */
export interface Pass {
  seconds: number;
  cpuSeconds: number;
}

/** How long `run` takes, and the CPU it costs this process and nats-server. */
export async function timed(run: () => Promise<void>): Promise<Pass> {
  const cpuBefore = processCpuSeconds() + natsServerCpuSeconds();
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  return { seconds, cpuSeconds: processCpuSeconds() + natsServerCpuSeconds() - cpuBefore };
}
