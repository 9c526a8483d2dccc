import { Logger } from '@nestjs/common';
import { statSync, watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as yaml from 'js-yaml';
import type { FileSdConfig } from '../config/config.types.js';
import { parseTargetGroups } from './target-group-format.js';
import type { DiscoveryMechanism, TargetGroup } from './target-group.js';

/** How long a burst of file events is gathered before the files are read again. */
const SETTLE_MS = 20;

/**
 * file_sd_configs: target groups from JSON or YAML files in Prometheus' format, found by
 * name or by a glob in the last path element. Each group gets `__meta_filepath`. The
 * directories are watched, so a change applies at once; the files are also read every
 * refresh interval, in case an event was missed. A file that cannot be read or parsed keeps
 * the groups it last had (the problem is logged once, naming the file); a file that is gone
 * loses its groups.
 */
export class FileDiscovery implements DiscoveryMechanism {
  readonly name: string;
  private failed: () => void = () => {};
  private readonly logger = new Logger('Discovery');
  private byFile = new Map<string, TargetGroup[]>();
  private readonly problems = new Map<string, string>();
  /** By directory, with the inode watched: a directory removed and created again is watched anew. */
  private readonly watchers = new Map<string, { watcher: FSWatcher; inode: number }>();
  private readonly unwatchable = new Map<string, string>();
  private report: (groups: TargetGroup[]) => void = () => {};
  private reported: string | null = null;
  private interval: NodeJS.Timeout | null = null;
  private settle: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly config: FileSdConfig,
    index: number,
    private readonly service: string,
  ) {
    this.name = `file_sd_configs[${index}]`;
  }

  async start(report: (groups: TargetGroup[]) => void, failed: () => void = () => {}): Promise<void> {
    this.failed = failed;
    this.report = report;
    this.watchDirectories();
    await this.refresh();
    this.interval = setInterval(() => {
      this.watchDirectories(); // a directory created since is watched from now on
      void this.refresh();
    }, this.config.refreshIntervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.interval) clearInterval(this.interval);
    if (this.settle) clearTimeout(this.settle);
    for (const { watcher } of this.watchers.values()) watcher.close();
    this.watchers.clear();
    await this.running;
  }

  /** Reads every file now; calls made while a read runs are folded into one more read. */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.readAll();
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = null));
    return this.running;
  }

  private async readAll(): Promise<void> {
    const files = await this.listFiles();
    const next = new Map<string, TargetGroup[]>();
    for (const file of files) {
      let groups: TargetGroup[];
      try {
        groups = parseFile(file, await readFile(file, 'utf8'));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // deleted since it was listed
        this.problem(file, (error as Error).message);
        const last = this.byFile.get(file);
        if (last) next.set(file, last);
        continue;
      }
      if (this.problems.delete(file)) this.logger.log(`${this.prefix}: ${file} is readable again`);
      next.set(file, groups);
    }
    for (const file of this.problems.keys()) if (!files.includes(file)) this.problems.delete(file);
    this.byFile = next;
    if (this.stopped) return;
    const groups = [...next.keys()].sort().flatMap((file) => next.get(file)!);
    const text = JSON.stringify(groups);
    if (text === this.reported) return;
    this.reported = text;
    this.report(groups);
  }

  private problem(file: string, message: string): void {
    this.failed();
    if (this.problems.get(file) === message) return;
    this.problems.set(file, message);
    const kept = this.byFile.has(file) ? 'keeping its last good targets' : 'no targets from it until it is fixed';
    // Parse errors already start with the file name.
    this.logger.error(`${this.prefix}: ${message.startsWith(file) ? message : `${file}: ${message}`} (${kept})`);
  }

  private get prefix(): string {
    return `service "${this.service}": ${this.name}`;
  }

  private async listFiles(): Promise<string[]> {
    const found = new Set<string>();
    for (const pattern of this.config.files) {
      const dir = path.dirname(pattern);
      const base = path.basename(pattern);
      if (!isGlob(base)) {
        if (await exists(pattern)) found.add(pattern);
        continue;
      }
      const matcher = globMatcher(base);
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        continue; // a missing directory has no files (yet)
      }
      for (const name of names.sort()) if (matcher.test(name)) found.add(path.join(dir, name));
    }
    return [...found];
  }

  private watchDirectories(): void {
    const patternsByDir = new Map<string, RegExp[]>();
    for (const pattern of this.config.files) {
      const dir = path.dirname(pattern);
      const base = path.basename(pattern);
      patternsByDir.set(dir, [...(patternsByDir.get(dir) ?? []), isGlob(base) ? globMatcher(base) : new RegExp(`^${escapeRegExp(base)}$`)]);
    }
    for (const [dir, matchers] of patternsByDir) {
      const watched = this.watchers.get(dir);
      if (watched) {
        if (inodeOf(dir) === watched.inode) continue;
        watched.watcher.close();
        this.watchers.delete(dir);
      }
      try {
        const inode = statSync(dir).ino;
        const watcher = watch(dir, { persistent: false }, (_event, name) => {
          if (name === null || matchers.some((m) => m.test(String(name)))) this.changed();
        });
        watcher.on('error', () => {
          watcher.close();
          if (this.watchers.get(dir)?.watcher === watcher) this.watchers.delete(dir);
        });
        this.watchers.set(dir, { watcher, inode });
        this.unwatchable.delete(dir);
      } catch (error) {
        const reason = (error as Error).message;
        if (this.unwatchable.get(dir) !== reason) {
          this.unwatchable.set(dir, reason);
          this.logger.warn(`${this.prefix}: cannot watch ${dir} (${reason}); reading it every ${this.config.refreshIntervalMs / 1000}s instead`);
        }
      }
    }
  }

  private changed(): void {
    if (this.stopped) return;
    if (this.settle) clearTimeout(this.settle);
    this.settle = setTimeout(() => {
      this.settle = null;
      void this.refresh();
    }, SETTLE_MS);
  }
}

function parseFile(file: string, text: string): TargetGroup[] {
  const format = /\.json$/i.test(file) ? 'json' : 'yaml';
  let value: unknown;
  try {
    value = format === 'json' ? JSON.parse(text) : yaml.load(text, { schema: yaml.CORE_SCHEMA });
  } catch (error) {
    const reason = error instanceof yaml.YAMLException ? error.message.split('\n')[0] : (error as Error).message;
    throw new Error(`${file}: not valid ${format === 'json' ? 'JSON' : 'YAML'}: ${reason}`);
  }
  return parseTargetGroups(value, file, format).map((group, index) => ({
    source: `${file}:${index}`,
    targets: group.targets,
    labels: { ...group.labels, __meta_filepath: file },
  }));
}

function inodeOf(dir: string): number | undefined {
  try {
    return statSync(dir).ino;
  } catch {
    return undefined;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

function isGlob(name: string): boolean {
  return /[*?[]/.test(name);
}

/** Go's filepath.Match for one path element: `*`, `?`, `[a-z]`, `[^a-z]`, `\` quoting. */
function globMatcher(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!);
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) {
        source += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      const negated = body.startsWith('^');
      if (negated) body = body.slice(1);
      source += `[${negated ? '^' : ''}${body.replace(/[\\\]^[]/g, '\\$&')}]`;
      i = end;
    } else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
