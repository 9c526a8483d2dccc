import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// What every benchmark of the suite shares: the options, a measured figure, the table and the
// results file. Each benchmark is a function (ctx) => Figure[] in its own file; run.ts lists them.

export interface BenchOptions {
  quick: boolean;
  seed: number;
  keep: boolean;
}

export interface BenchContext {
  options: BenchOptions;
  /** The repository root (dist/main.js is the server under test). */
  root: string;
  /** The command that reruns one benchmark, e.g. `npm run bench -- --quick --only=replay`. */
  commandFor(name: string): string;
  /** Progress on stderr (a terminal only). */
  progress(text: string): void;
}

export interface Figure {
  /** What is measured, e.g. "replay: events/s into SQLite". */
  figure: string;
  value: number;
  unit: string;
  /** Human-readable goal, e.g. "≥ 20,000"; null when the figure is context only. */
  goal: string | null;
  met: boolean | null;
  command: string;
  /** The setup behind the figure (sizes, shapes, split of the cost). */
  details?: Record<string, unknown>;
}

export interface Benchmark {
  name: string;
  describe: string;
  run(ctx: BenchContext): Promise<Figure[]>;
}

export const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function atLeast(value: number, goal: number): boolean {
  return value >= goal;
}

export function atMost(value: number, goal: number): boolean {
  return value <= goal;
}

export function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the benchmark');
    dir = parent;
  }
  return dir;
}

function formatValue(f: Figure): string {
  const digits = Math.abs(f.value) >= 100 ? 0 : Math.abs(f.value) >= 10 ? 1 : 2;
  return `${f.value.toLocaleString('en-US', { maximumFractionDigits: digits })} ${f.unit}`;
}

export function printTable(figures: Figure[]): void {
  const header = ['figure', 'measured', 'goal', 'met?', 'command'];
  const rows = figures.map((f) => [f.figure, formatValue(f), f.goal ?? '', f.met === null ? '' : f.met ? 'yes' : 'NO', f.command]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ');
  process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n${rows.map(line).join('\n')}\n`);
}

export interface RunRecord {
  at: string;
  command: string;
  quick: boolean;
  figures: Figure[];
  failures: { benchmark: string; error: string }[];
  environment: Record<string, unknown>;
}

export function environment(loadBefore: number[]): Record<string, unknown> {
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    // The machine may be shared: every figure is skewed by the load beside it.
    loadAverageBefore: loadBefore.map((n) => round(n, 2)),
    loadAverageAfter: loadavg().map((n) => round(n, 2)),
  };
}

/** Appends the run to bench/results/<date>.json; returns the file. */
export function saveRun(root: string, run: RunRecord): string {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${run.at.slice(0, 10)}.json`);
  const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { runs: unknown[] }) : { runs: [] };
  previous.runs.push(run);
  writeFileSync(file, `${JSON.stringify(previous, null, 2)}\n`);
  return relative(process.cwd(), file);
}
