import { Logger } from '@nestjs/common';
import { loadavg } from 'node:os';
import { apiBenchmark } from './api.bench.js';
import { fleetBenchmarks } from './fleet.bench.js';
import { projectorBenchmark } from './projector.bench.js';
import { replayBenchmark } from './replay.bench.js';
import { benchmark as timeTravelBenchmark } from './time-travel.bench.js';
import { environment, printTable, repositoryRoot, saveRun, type BenchContext, type Benchmark, type BenchOptions, type Figure } from './suite.js';

// The benchmark suite (`npm run bench`): runs each benchmark, prints one table
// `figure | measured | goal | met? | command`, appends the run to bench/results/<date>.json.
// Goals are reported, never asserted. See bench/README.md for the method.

const BENCHMARKS: Benchmark[] = [...fleetBenchmarks, projectorBenchmark, replayBenchmark, timeTravelBenchmark, apiBenchmark];

const USAGE = `Usage: npm run bench -- [--quick] [--only=<name>[,<name>…]] [--seed=N] [--keep] [--no-save]
  --quick         scaled down: the whole suite in under a minute
  --only=<names>  run only these benchmarks (${BENCHMARKS.map((b) => b.name).join(', ')}, …)
  --seed=N        seed of the generated data (default 1)
  --keep          keep temporary directories and print where they are
  --no-save       do not write bench/results/<date>.json
`;

interface Args extends BenchOptions {
  only: string[] | null;
  save: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, seed: 1, keep: false, only: null, save: true };
  for (const arg of argv) {
    const [flag, value] = arg.split('=', 2) as [string, string | undefined];
    if (flag === '--quick') args.quick = true;
    else if (flag === '--keep') args.keep = true;
    else if (flag === '--no-save') args.save = false;
    else if (flag === '--only' && value) args.only = value.split(',');
    else if (flag === '--seed' && value && Number.isSafeInteger(Number(value))) args.seed = Number(value);
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else throw new Error(`bad argument ${JSON.stringify(arg)}\n${USAGE}`);
  }
  return args;
}

function commandLine(args: Args, only?: string): string {
  const parts = [...(args.quick ? ['--quick'] : []), ...(only ? [`--only=${only}`] : args.only ? [`--only=${args.only.join(',')}`] : [])];
  return ['npm run bench', ...(parts.length > 0 ? ['--', ...parts] : [])].join(' ');
}

async function main(): Promise<void> {
  // In-process parts (time travel, replay) log through Nest: keep the table readable.
  Logger.overrideLogger(['error', 'warn']);
  const loadBefore = loadavg();
  const args = parseArgs(process.argv.slice(2));
  const all = BENCHMARKS;
  if (args.only) {
    const unknown = args.only.filter((name) => !all.some((b) => b.name === name));
    if (unknown.length > 0) throw new Error(`no benchmark named ${unknown.join(', ')} (have: ${all.map((b) => b.name).join(', ')})`);
  }
  const selected = args.only ? all.filter((b) => args.only!.includes(b.name)) : all;
  const root = repositoryRoot();
  const figures: Figure[] = [];
  const failures: { benchmark: string; error: string }[] = [];
  const started = performance.now();
  for (const benchmark of selected) {
    const ctx: BenchContext = {
      options: args,
      root,
      commandFor: (name) => commandLine(args, name),
      progress: (text) => {
        if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${benchmark.name}: ${text}`);
      },
    };
    process.stderr.write(`${benchmark.name}: ${benchmark.describe}\n`);
    const t0 = performance.now();
    try {
      figures.push(...(await benchmark.run(ctx)));
    } catch (error) {
      // One benchmark failing must not lose the others' figures.
      failures.push({ benchmark: benchmark.name, error: (error as Error)?.stack ?? String(error) });
      process.stderr.write(`\n${benchmark.name} failed: ${(error as Error)?.stack ?? String(error)}\n`);
    }
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    process.stderr.write(`${benchmark.name}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  process.stdout.write('\n');
  printTable(figures);
  const env = environment(loadBefore);
  process.stdout.write(
    `\n${((performance.now() - started) / 1000).toFixed(0)} s; load average ${JSON.stringify(env.loadAverageBefore)} before, ` +
      `${JSON.stringify(env.loadAverageAfter)} after (${String(env.cpus)} CPUs, ${String(env.cpu)})\n`,
  );
  if (args.save) {
    const file = saveRun(root, { at: new Date().toISOString(), command: commandLine(args), quick: args.quick, figures, failures, environment: env });
    process.stdout.write(`results: ${file}\n`);
  }
  if (failures.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
