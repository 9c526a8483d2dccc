// file_sd_configs with real files being rewritten: at the mechanism level, then through the
// real server (child process), where relabel_configs apply and /targets/ follows the files.

import { mkdir, mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { FileDiscovery } from '../src/discovery/file-discovery.js';
import { DiscoveryProbe, LogCapture } from './support/discovery-probe.js';
import { PeriskopUnderTest } from './support/periskop-under-test.js';
import { waitFor } from './support/wait-for.js';

const FIVE_MINUTES = 5 * 60_000;

describe('file_sd_configs', () => {
  let dir: string;
  let logs: LogCapture;
  const probes: DiscoveryProbe[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'periskop-file-sd-'));
    logs = new LogCapture();
  });
  afterEach(async () => {
    await Promise.all(probes.splice(0).map((p) => p.stop()));
    logs.restore();
    await rm(dir, { recursive: true, force: true });
  });

  async function discover(files: string[], refreshIntervalMs = FIVE_MINUTES): Promise<{ probe: DiscoveryProbe; mechanism: FileDiscovery }> {
    const mechanism = new FileDiscovery({ files, refreshIntervalMs }, 0, 'shop');
    const probe = await new DiscoveryProbe(mechanism).start();
    probes.push(probe);
    return { probe, mechanism };
  }

  /** Written to a temporary name and renamed, as careful tools do; `direct` writes in place. */
  async function put(name: string, content: unknown, direct = false): Promise<void> {
    const text = typeof content === 'string' ? content : name.endsWith('.json') ? JSON.stringify(content) : dump(content);
    if (direct) return writeFile(join(dir, name), text);
    await writeFile(join(dir, `.${name}.tmp`), text);
    await rename(join(dir, `.${name}.tmp`), join(dir, name));
  }

  it('reads JSON and YAML files matched by a glob, with __meta_filepath, from the start', async () => {
    await put('a.json', [{ targets: ['a-1:7777', 'a-2:7777'], labels: { zone: 'eu-1' } }]);
    await put('b.yml', [{ targets: ['b-1:7777'], labels: { shard: 1 } }]);
    await put('ignored.txt', 'not a target file');
    const { probe } = await discover([join(dir, '*.json'), join(dir, '*.yml')]);
    // Read before start() returns: the targets known at start are there at once.
    expect(probe.latest).toEqual([
      { source: `${join(dir, 'a.json')}:0`, targets: ['a-1:7777', 'a-2:7777'], labels: { zone: 'eu-1', __meta_filepath: join(dir, 'a.json') } },
      { source: `${join(dir, 'b.yml')}:0`, targets: ['b-1:7777'], labels: { shard: '1', __meta_filepath: join(dir, 'b.yml') } },
    ]);
  });

  it('follows files being rewritten, added and deleted without waiting for the refresh interval', async () => {
    await put('a.json', [{ targets: ['a-1:7777'] }]);
    const { probe } = await discover([join(dir, '*.json')]);
    expect(probe.targets).toHaveLength(1);

    await put('a.json', [{ targets: ['a-1:7777', 'a-2:7777'] }]); // atomic rename
    await probe.untilAddresses(['a-1:7777', 'a-2:7777']);

    await put('a.json', [{ targets: ['a-3:7777'] }], true); // rewritten in place
    await probe.untilAddresses(['a-3:7777']);

    await put('b.json', [{ targets: ['b-1:7777'] }]); // a new file matching the glob
    await probe.untilAddresses(['a-3:7777', 'b-1:7777']);

    await unlink(join(dir, 'a.json')); // a deleted file drops its groups
    await probe.untilAddresses(['b-1:7777']);
    expect(logs.matching(/ERROR|WARN/)).toEqual([]);
  });

  it('a broken file keeps its last good groups and says why; fixed, it applies again', async () => {
    await put('a.json', [{ targets: ['a-1:7777'] }]);
    await put('b.yaml', [{ targets: ['b-1:7777'] }]);
    const { probe } = await discover([join(dir, '*.json'), join(dir, '*.yaml')]);

    await put('a.json', '[{"targets": ["a-2:7777"]');
    await waitFor(() => logs.matching(/a\.json/).length > 0, 10_000, 'the broken file to be logged');
    await put('b.yaml', [{ targets: ['b-2:7777'] }]); // the other file still applies
    await probe.untilAddresses(['a-1:7777', 'b-2:7777']);

    await put('a.json', [{ targets: ['a-1:7777'], labels: { 'not-a-label': 'x' } }]);
    await waitFor(() => logs.matching(/not-a-label/).length > 0, 10_000, 'the bad label to be logged');
    await put('b.yaml', 'targets: [x:1]');
    await waitFor(() => logs.matching(/b\.yaml/).length > 0, 10_000, 'the broken YAML file to be logged');
    expect(probe.targets.map((t) => t.split(' ')[0])).toEqual(['a-1:7777', 'b-2:7777']);
    expect(logs.matching(/ERROR/)).toEqual([
      `ERROR service "shop": file_sd_configs[0]: ${join(dir, 'a.json')}: not valid JSON: Expected ',' or '}' after property value in JSON at position 25 (keeping its last good targets)`,
      `ERROR service "shop": file_sd_configs[0]: ${join(dir, 'a.json')}: [0].labels.not-a-label: "not-a-label" is not a valid label name (keeping its last good targets)`,
      `ERROR service "shop": file_sd_configs[0]: ${join(dir, 'b.yaml')}: expected a list of target groups ([{targets: [...], labels: {...}}]), got a mapping (keeping its last good targets)`,
    ]);

    await put('a.json', [{ targets: ['a-3:7777'] }]);
    await probe.untilAddresses(['a-3:7777', 'b-2:7777']);
    expect(logs.matching(/a\.json is readable again/)).toHaveLength(1);
  });

  it('a literal path that appears later, in a directory created later, is read at the refresh interval', async () => {
    const later = join(dir, 'later');
    const { probe } = await discover([join(later, 'targets.yaml')], 50);
    expect(probe.latest).toEqual([]);
    await mkdir(later);
    await writeFile(join(later, 'targets.yaml'), dump([{ targets: ['x:1'] }]));
    await probe.untilAddresses(['x:1']);
    expect(logs.matching(/cannot watch .*later.*reading it every 0.05s instead/)).toHaveLength(1);
  });
});

describe('file_sd_configs and relabel_configs in the running server', () => {
  let dir: string;
  let periskop: PeriskopUnderTest | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'periskop-file-sd-e2e-'));
  });
  afterAll(async () => {
    await periskop?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function put(name: string, groups: unknown): Promise<void> {
    await writeFile(join(dir, `.${name}.tmp`), JSON.stringify(groups));
    await rename(join(dir, `.${name}.tmp`), join(dir, name));
  }

  /** `/targets/`'s endpoints of service shop, sorted. */
  async function endpoints(): Promise<string[]> {
    const targets = (await periskop!.get('/targets/')).json() as Record<string, { endpoint: string }[]>;
    return (targets.shop ?? []).map((t) => t.endpoint).sort();
  }

  /** The targets with a periskop_target_up series, sorted. */
  async function upSeries(): Promise<string[]> {
    const text = (await periskop!.get('/metrics')).body;
    return [...text.matchAll(/^periskop_target_up\{[^}]*target="([^"]+)"[^}]*\} /gm)].map((m) => m[1]!).sort();
  }

  async function untilEndpoints(expected: string[]): Promise<void> {
    const wanted = JSON.stringify(expected);
    await waitFor(async () => JSON.stringify(await endpoints()) === wanted, 15_000, `/targets/ to list ${wanted}`);
  }

  it('targets appear, change and disappear in /targets/ as the files change, relabeled', async () => {
    await put('shop.json', [
      { targets: ['127.0.0.1:1', '127.0.0.1:2'], labels: { env: 'prod' } },
      { targets: ['127.0.0.1:3'], labels: { env: 'dev' } },
    ]);
    periskop = await PeriskopUnderTest.start({
      repository: { type: 'memory' },
      events: { type: 'embedded', path: join(dir, 'events') },
      services: [
        {
          name: 'shop',
          file_sd_configs: [{ files: [join(dir, '*.json')] }],
          relabel_configs: [
            { source_labels: ['env'], regex: 'dev', action: 'drop' },
            { source_labels: ['path'], regex: '(.+)', target_label: '__metrics_path__' },
            { source_labels: ['__meta_filepath'], regex: '.*/([^/]+)\\.json', target_label: 'file' },
          ],
          scraper: { endpoint: '/errors', refresh_interval: '1m' },
        },
      ],
    });
    await untilEndpoints(['http://127.0.0.1:1/errors', 'http://127.0.0.1:2/errors']);

    await put('shop.json', [
      { targets: ['127.0.0.1:2', '127.0.0.1:4'], labels: { env: 'prod', path: '/-/errors' } },
      { targets: ['127.0.0.1:3'], labels: { env: 'dev' } },
    ]);
    await untilEndpoints(['http://127.0.0.1:2/-/errors', 'http://127.0.0.1:4/-/errors']);
    // The dropped targets' up series go with them; the new ones get theirs at their first scrape.
    await waitFor(async () => JSON.stringify(await upSeries()) === JSON.stringify(['http://127.0.0.1:2/-/errors', 'http://127.0.0.1:4/-/errors']), 15_000, 'target_up of the current targets only');
    const ui = (await periskop.get('/api/targets')).json() as Record<string, { endpoint: string; labels: Record<string, string> }[]>;
    expect(ui.shop!.find((t) => t.endpoint === 'http://127.0.0.1:4/-/errors')!.labels).toEqual({ env: 'prod', path: '/-/errors', file: 'shop' });

    await unlink(join(dir, 'shop.json'));
    await untilEndpoints([]);
    expect(await upSeries()).toEqual([]);
  });
});
