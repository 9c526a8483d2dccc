// Reading the deployment assets under deploy/ and the Dockerfiles the way their tools would,
// for tests that cannot run Docker or a Kubernetes cluster here.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAll } from 'js-yaml';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DEPLOY_DIR = join(REPO_ROOT, 'deploy');

/** Every YAML file under `dir`, as paths relative to the repository root. */
export function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => relative(REPO_ROOT, join(dir, name)))
    .sort();
}

/** All documents of a YAML file (Kubernetes manifests hold several, separated by ---). */
export function yamlDocuments(file: string): any[] {
  return loadAll(readFileSync(join(REPO_ROOT, file), 'utf8'), undefined, { filename: file }).filter((doc) => doc != null);
}

export function yamlDocument(file: string): any {
  const [document, ...more] = yamlDocuments(file);
  if (more.length > 0) throw new Error(`${file}: expected one YAML document, found ${more.length + 1}`);
  return document;
}

export function repoFileExists(path: string): boolean {
  return existsSync(join(REPO_ROOT, path));
}

/** One Dockerfile instruction, continuation lines joined, comments dropped. */
export interface DockerInstruction {
  keyword: string;
  args: string;
  stage: number;
}

export function dockerInstructions(file: string): DockerInstruction[] {
  const logical = readFileSync(join(REPO_ROOT, file), 'utf8')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  let stage = -1;
  return logical.map((line) => {
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line)!;
    if (keyword!.toUpperCase() === 'FROM') stage++;
    return { keyword: keyword!.toUpperCase(), args: args!, stage };
  });
}

/** `["node", "x"]` (exec form) or `node x` (shell form) → the words. */
export function dockerWords(args: string): string[] {
  return args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/);
}

/** The source paths of COPY instructions that read the build context (not `--from=` a stage). */
export function contextCopySources(instructions: DockerInstruction[]): string[] {
  return instructions
    .filter((instruction) => instruction.keyword === 'COPY' && !instruction.args.includes('--from='))
    .flatMap((instruction) => {
      const words = dockerWords(instruction.args).filter((word) => !word.startsWith('--'));
      return words.slice(0, -1);
    });
}

/** The .dockerignore patterns that exclude `path` or one of its parent directories. */
export function dockerIgnoredBy(path: string): string[] {
  const patterns = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const parts = path.split('/');
  const candidates = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
  return patterns.filter((pattern) => {
    const regex = new RegExp(
      '^' +
        pattern
          .replace(/\/$/, '')
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*\*\//g, '\u0000')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]')
          .replace(/\u0000/g, '(?:.*/)?') +
        '$',
    );
    return candidates.some((candidate) => regex.test(candidate));
  });
}
