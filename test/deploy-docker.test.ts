import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { SERVER_ENVIRONMENT, SERVER_NODE_FLAGS } from '../src/server-node-flags.js';
import { contextCopySources, dockerIgnoredBy, dockerInstructions, dockerWords, REPO_ROOT, repoFileExists, type DockerInstruction } from './support/deploy-files.js';
import { exitCodeOf, NodeProgram } from './support/node-program.js';
import { freePort, untilHealthy } from './support/periskop-under-test.js';

// No Docker engine here: the Dockerfiles are checked for what `docker build` and `docker run`
// rely on, and the image's runtime layout (working directory, default config, health check
// command) is reproduced with the built server.

const IMAGE_CONFIG_FILE = '/etc/periskop/periskop.yaml';
const IMAGE_WORKDIR = '/var/lib/periskop';

const server = dockerInstructions('Dockerfile');
const demo = dockerInstructions('deploy/demo-service/Dockerfile');

function finalStage(instructions: DockerInstruction[]): DockerInstruction[] {
  const last = Math.max(...instructions.map((instruction) => instruction.stage));
  return instructions.filter((instruction) => instruction.stage === last);
}

function lastOf(instructions: DockerInstruction[], keyword: string): DockerInstruction {
  const found = instructions.filter((instruction) => instruction.keyword === keyword).at(-1);
  if (!found) throw new Error(`no ${keyword} instruction`);
  return found;
}

function healthCheckCommand(instructions: DockerInstruction[]): string[] {
  const args = lastOf(finalStage(instructions), 'HEALTHCHECK').args;
  return dockerWords(args.slice(args.indexOf('CMD') + 'CMD'.length).trim());
}

describe.each([
  ['Dockerfile', server],
  ['deploy/demo-service/Dockerfile', demo],
])('%s', (file, instructions) => {
  it('builds every stage from Node 22 and runs as an unprivileged user', () => {
    const bases = instructions.filter((instruction) => instruction.keyword === 'FROM').map((instruction) => instruction.args);
    expect(bases.length).toBeGreaterThanOrEqual(2); // multi-stage: no compiler in the runtime image
    for (const base of bases) expect(base).toMatch(/^node:22[.-]/);
    const user = lastOf(finalStage(instructions), 'USER').args.split(':')[0];
    expect(['', '0', 'root']).not.toContain(user);
  });

  it('copies only files that exist in the build context and are not in .dockerignore', () => {
    const sources = contextCopySources(instructions).filter((source) => source !== '.');
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect({ file, source, exists: repoFileExists(source), ignoredBy: dockerIgnoredBy(source) }).toEqual({ file, source, exists: true, ignoredBy: [] });
    }
  });

  it('has a health check', () => {
    expect(healthCheckCommand(instructions)[0]).toBe('node');
  });
});

describe('the server image', () => {
  const runtime = finalStage(server);

  it('builds from sources only: dependencies, build output and local data stay out of the context', () => {
    for (const path of ['node_modules/jest/package.json', 'client/node_modules/x', 'dist/main.js', 'client/dist/browser/index.html', 'packages/periskop-client/dist/index.js', 'data/events/x', 'packages/periskop-client/node_modules/typescript']) {
      expect({ path, ignored: dockerIgnoredBy(path).length > 0 }).toEqual({ path, ignored: true });
    }
    for (const path of ['src/main.ts', 'client/src/index.html', 'package-lock.json', 'config/periskop.yaml']) {
      expect({ path, ignoredBy: dockerIgnoredBy(path) }).toEqual({ path, ignoredBy: [] });
    }
  });

  it('reads /etc/periskop/periskop.yaml, listens on 8080 and keeps data in a volume', () => {
    expect(runtime.filter((i) => i.keyword === 'ENV').map((i) => i.args).join(' ')).toContain(`CONFIG_FILE=${IMAGE_CONFIG_FILE}`);
    expect(lastOf(runtime, 'EXPOSE').args).toBe('8080');
    expect(lastOf(runtime, 'WORKDIR').args).toBe(IMAGE_WORKDIR);
    expect(dockerWords(lastOf(runtime, 'VOLUME').args)).toContain(IMAGE_WORKDIR);
    // The default config in the image is the repository's sample, and it loads.
    expect(runtime.some((i) => i.keyword === 'COPY' && i.args === `config/periskop.yaml ${IMAGE_CONFIG_FILE}`)).toBe(true);
    expect(loadConfig(join(REPO_ROOT, 'config/periskop.yaml'), {}).server.port).toBe(8080);
  });

  it('compiles better-sqlite3 from source in the build stage, as .prebuild-installrc asks', async () => {
    expect(await readFile(join(REPO_ROOT, '.prebuild-installrc'), 'utf8')).toContain('build-from-source=true');
    const install = server.find((i) => i.stage === 0 && i.keyword === 'RUN' && i.args.includes('apt-get install'));
    for (const tool of ['python3', 'make', 'g++']) expect(install?.args.split(/\s+/)).toContain(tool);
  });

  it('starts the server with the V8 flags and the environment npm start uses', async () => {
    const { scripts } = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const environment = Object.entries(SERVER_ENVIRONMENT).map(([name, value]) => `${name}=${value}`);
    expect(scripts['start']!.split(' ')).toEqual([...environment, 'node', ...SERVER_NODE_FLAGS, 'dist/main.js']);
    const set = runtime.filter((i) => i.keyword === 'ENV').flatMap((i) => dockerWords(i.args));
    for (const variable of environment) expect(set).toContain(variable);
  });

  it('starts the file its ENTRYPOINT names, and copies the built files it loads', () => {
    const [program, ...args] = dockerWords(lastOf(runtime, 'ENTRYPOINT').args);
    expect(program).toBe('node');
    expect(args).toEqual([...SERVER_NODE_FLAGS, '/app/dist/main.js']);
    expect(lastOf(runtime, 'WORKDIR').args).not.toBe('/app'); // the app directory stays read-only
    const copiedFromBuild = runtime
      .filter((i) => i.keyword === 'COPY' && i.args.startsWith('--from=build '))
      .map((i) => dockerWords(i.args)[1]!.replace(/^\/src\//, ''));
    // What `npm run build` leaves for the image to take (CI builds before the tests).
    for (const built of ['dist', 'client/dist', 'packages/periskop-client/dist', 'node_modules', 'package.json']) {
      expect(copiedFromBuild).toContain(built);
      expect({ built, exists: repoFileExists(built) }).toEqual({ built, exists: true });
    }
    expect(repoFileExists('dist/main.js')).toBe(true);
  });

  describe('run as the image runs it', () => {
    let workdir: string;
    let port: number;
    let periskop: NodeProgram;

    beforeAll(async () => {
      workdir = await mkdtemp(join(tmpdir(), 'periskop-image-workdir-'));
      port = await freePort();
      // CONFIG_FILE as the image sets it (here the file the image copies there), no --config;
      // PORT only because 8080 may be taken on this machine.
      periskop = await NodeProgram.start([...SERVER_NODE_FLAGS, join(REPO_ROOT, 'dist/main.js'), 'serve'], {
        cwd: workdir,
        env: { ...process.env, ...SERVER_ENVIRONMENT, CONFIG_FILE: join(REPO_ROOT, 'config/periskop.yaml'), PORT: String(port) },
        readyText: 'periskop listening on',
      });
      // The HEALTHCHECK fails until the read model is migrated.
      await untilHealthy(`http://127.0.0.1:${port}`);
    });

    afterAll(async () => {
      await periskop?.stop();
      await rm(workdir, { recursive: true, force: true });
    });

    it('keeps relative data paths under its working directory (the volume)', () => {
      expect(existsSync(join(workdir, 'data/events'))).toBe(true);
    });

    it('serves the UI', async () => {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<app-root');
    });

    it("passes the image's HEALTHCHECK command, which fails when nothing answers", async () => {
      const command = healthCheckCommand(server);
      expect(command.join(' ')).toContain('/-/health');
      expect(await exitCodeOf(command.slice(1), { ...process.env, PORT: String(port) })).toBe(0);
      expect(await exitCodeOf(command.slice(1), { ...process.env, PORT: String(await freePort()) })).toBe(1);
    });
  });
});
