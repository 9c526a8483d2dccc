import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bySeq, parseSnapshotName, snapshotName, type SnapshotInfo, type SnapshotStore } from './snapshot-store.js';

const SUFFIX = '.jsonl.gz';

/** Snapshots as files in a directory (beside the embedded log). */
export class DirectorySnapshotStore implements SnapshotStore {
  readonly description: string;

  constructor(private readonly dir: string) {
    this.description = `directory ${dir}`;
  }

  async list(): Promise<SnapshotInfo[]> {
    let files: string[];
    try {
      files = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const found: SnapshotInfo[] = [];
    for (const file of files) {
      const parsed = file.endsWith(SUFFIX) ? parseSnapshotName(file.slice(0, -SUFFIX.length)) : null;
      if (parsed) found.push({ name: file.slice(0, -SUFFIX.length), ...parsed, bytes: (await stat(join(this.dir, file))).size });
    }
    return found.sort(bySeq);
  }

  async put(seq: number, at: number, data: Uint8Array): Promise<SnapshotInfo> {
    await mkdir(this.dir, { recursive: true });
    const name = snapshotName(seq, at);
    const temporary = join(this.dir, `${name}${SUFFIX}.partial`);
    // Written aside and renamed: a crash mid-write leaves no snapshot that looks whole.
    await writeFile(temporary, data, { flush: true });
    await rename(temporary, this.path(name));
    return { name, seq, at, bytes: data.byteLength };
  }

  async get(snapshot: SnapshotInfo): Promise<Uint8Array> {
    return readFile(this.path(snapshot.name));
  }

  async remove(snapshot: SnapshotInfo): Promise<void> {
    await rm(this.path(snapshot.name), { force: true });
  }

  async close(): Promise<void> {}

  private path(name: string): string {
    return join(this.dir, name + SUFFIX);
  }
}
