import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { CrashablePeriskop } from './support/crashable-periskop.js';
import { waitFor } from './support/wait-for.js';

// The built server and the signals an operator sends it: the ones that mean "stop" stop it
// cleanly; SIGUSR2, Node's diagnostics signal, is left to Node.

describe('signals', () => {
  let dir: string;
  let config: string;
  let server: CrashablePeriskop | null = null;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'periskop-signals-'));
    config = join(dir, 'periskop.yaml');
    await writeFile(config, dump({ repository: { type: 'sqlite', path: join(dir, 'read-model.sqlite') }, events: { type: 'embedded', path: join(dir, 'events') }, services: [] }));
  });

  afterEach(async () => {
    await server?.stop();
    server = null;
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a diagnostic report on SIGUSR2 and goes on serving', async () => {
    const reports = join(dir, 'reports');
    await mkdir(reports);
    server = await CrashablePeriskop.start(config, 20_000, ['--report-on-signal', '--report-signal=SIGUSR2', `--report-directory=${reports}`]);
    // Healthy first (it listens before its read model is ready), so that it is the signal that must not change it.
    await server.ready();
    server.send('SIGUSR2');
    const written = await waitFor(
      async () => {
        const names = (await readdir(reports).catch(() => [])).filter((name) => name.endsWith('.json'));
        return names.length > 0 ? names : null;
      },
      20_000,
      'a diagnostic report',
    );
    expect(written).toHaveLength(1);
    expect((await server.get('/-/health')).status).toBe(200);
    expect(server.exit).toBeNull();
  }, 45_000);

  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('closes everything and stops on %s', async (signal) => {
    server = await CrashablePeriskop.start(config);
    server.send(signal);
    await waitFor(() => server!.exit, 20_000, 'periskop to exit');
    // The shutdown hooks ran to their end (Nest then ends the process with the signal it got).
    expect(server.log).toContain('stopped: scrapes cancelled, projection stopped, event log and read model closed');
  }, 45_000);
});
