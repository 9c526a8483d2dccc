import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';
import { MockTarget, errorsPayload } from './support/mock-target.js';
import { PeriskopUnderTest } from './support/periskop-under-test.js';
import { waitFor } from './support/wait-for.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

function periskop(args: string[]) {
  const run = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, CONFIG_FILE: '', PORT: '' }, timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('periskop command line', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'periskop-cli-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a bad duration with exit code 2, naming the file and the key', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      dump({ services: [{ name: 'a', static_configs: [{ targets: ['x:1'] }] }, { name: 'b', scraper: { endpoint: '/errors', refresh_interval: '10x' } }] }),
    );
    const run = periskop(['--config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}: services[1].scraper.refresh_interval: "10x" is not a duration`);
  });

  it('refuses an unknown flag with exit code 2 and the usage', () => {
    const run = periskop(['--confgi', 'x.yaml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--confgi/);
    expect(run.stderr).toMatch(/Usage|usage/);
  });

  it('prints the usage with --help', () => {
    const run = periskop(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/replay/);
  });

  it('replays the whole log into a sqlite read model and prints events/s', async () => {
    const target = await MockTarget.start();
    target.body = errorsPayload('t', [{ key: 'E@1', total: 3, occurrences: [{ uuid: 'u1', timestamp: '2024-01-01T00:00:00Z' }] }]);
    const config = {
      repository: { type: 'sqlite', path: join(dir, 'read-model.sqlite') },
      events: { type: 'embedded', path: join(dir, 'events') },
      services: [{ name: 'svc', static_configs: [{ targets: [target.address] }], scraper: { endpoint: '/errors', refresh_interval: '100ms' } }],
    };
    const server = await PeriskopUnderTest.start(config);
    await waitFor(() => target.hits >= 3, 10_000, 'three scrapes');
    await server.settled();
    const before = (await server.get('/services/svc/errors/')).body;
    await server.stop();
    await target.stop();

    const file = join(dir, 'periskop.yaml');
    await writeFile(file, dump(config));
    const run = periskop(['replay', '--config', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/replayed \d+ events through sequence \d+ in [\d.]+ s \(\d+ events\/s\)/);

    const again = await PeriskopUnderTest.start(config);
    try {
      await again.settled();
      expect((await again.get('/services/svc/errors/')).body).toBe(before);
      expect((await again.get('/metrics')).body).toContain('periskop_error_occurrences{service_name="svc",aggregation_key="E@1",severity="error"} 3');
    } finally {
      await again.stop();
    }
  });
});

describe('periskop serve', () => {
  let server: PeriskopUnderTest;

  afterEach(async () => {
    await server?.stop();
  });

  it('answers health, its own errors and metrics', async () => {
    server = await PeriskopUnderTest.start({ repository: { type: 'memory' }, events: { type: 'embedded', path: await mkdtemp(join(tmpdir(), 'periskop-serve-')) }, services: [] });
    expect(await server.get('/-/health')).toMatchObject({ status: 200, body: 'OK\n' });
    expect((await server.get('/errors')).json()).toMatchObject({ aggregated_errors: [], target_uuid: expect.any(String) });
    const metrics = (await server.get('/metrics')).body;
    for (const name of [
      'periskop_error_occurrences',
      'periskop_instances_scrapped',
      'periskop_errors_scrapped_total',
      'periskop_application_errors_total',
      'periskop_target_up',
      'periskop_scrape_duration_seconds',
      'periskop_snapshot_bytes',
      'periskop_events_published_total',
      'periskop_projector_lag_events',
      'periskop_projector_batch_duration_seconds',
      'periskop_metrics_dropped_series_total',
      'periskop_build_info',
    ]) {
      expect(metrics).toContain(`# TYPE ${name}`);
    }
    expect(metrics).toMatch(/periskop_build_info\{version="\d+\.\d+\.\d+",nodejs="v\d+[^"]*"\} 1/);
    expect(metrics).toContain('periskop_projector_lag_events 0');
    expect((await server.get('/services/')).json()).toEqual([]);
    expect((await server.get('/targets/')).json()).toEqual({});
  });
});
