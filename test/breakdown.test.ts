import { MockTarget, errorsPayload } from './support/mock-target.js';
import { PeriskopUnderTest } from './support/periskop-under-test.js';
import { deleteStream, NATS_URL, temporaryDir, uniqueStreamNames } from './support/test-event-logs.js';
import { waitFor } from './support/wait-for.js';

// Breakdown by target labels, new_since and the breakdown metric label, through the real
// server on both event logs.

const EVENT_LOGS: [string, () => Promise<{ section: Record<string, unknown>; cleanup: () => Promise<void> }>][] = [
  [
    'the embedded log',
    async () => {
      const { dir, remove } = await temporaryDir();
      return { section: { type: 'embedded', path: dir }, cleanup: remove };
    },
  ],
  [
    'JetStream',
    async () => {
      const { stream, subjectPrefix } = uniqueStreamNames();
      return {
        section: { type: 'jetstream', url: NATS_URL, stream, subject_prefix: subjectPrefix },
        cleanup: () => deleteStream(stream).catch(() => undefined),
      };
    },
  ],
];

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

describe.each(EVENT_LOGS)('breakdown on %s', (_label, openLog) => {
  let v1: MockTarget;
  let v2: MockTarget;
  let periskop: PeriskopUnderTest | undefined;
  let cleanup: () => Promise<void>;
  let section: Record<string, unknown>;

  beforeEach(async () => {
    v1 = await MockTarget.start();
    v2 = await MockTarget.start();
    v1.body = errorsPayload('v1', [
      { key: 'Old@1', total: 17, occurrences: [{ uuid: 'o1', timestamp: '2024-05-01T10:00:00Z' }] },
      { key: 'New@2', total: 1, occurrences: [{ uuid: 'n1', timestamp: '2024-06-02T10:00:00Z' }] },
    ]);
    v2.body = errorsPayload('v2', [{ key: 'Old@1', total: 3, occurrences: [{ uuid: 'o2', timestamp: '2024-06-01T10:00:00Z' }] }]);
    ({ section, cleanup } = await openLog());
  });

  afterEach(async () => {
    await periskop?.stop();
    periskop = undefined;
    await v1.stop();
    await v2.stop();
    await cleanup();
  });

  async function start(server: Record<string, unknown> = {}): Promise<PeriskopUnderTest> {
    const started = await PeriskopUnderTest.start({
      repository: { type: 'memory' },
      events: section,
      server,
      services: [
        {
          name: 'shop',
          static_configs: [
            { targets: [v1.address], labels: { version: '1.0', zone: 'eu' } },
            { targets: [v2.address], labels: { version: '2.0', zone: 'eu' } },
          ],
          scraper: { endpoint: '/errors', refresh_interval: '100ms' },
          breakdown_labels: ['version', 'zone', 'canary'],
        },
      ],
    });
    await waitFor(
      async () => {
        const list = await started.get('/services/shop/errors/');
        return list.status === 200 && list.json()[1]?.total_count === 20;
      },
      10_000,
      'both targets scraped',
    );
    await started.settled();
    return started;
  }

  it('answers the counts per label value and when each value was first seen', async () => {
    periskop = await start();
    const answer = await periskop.get('/services/shop/errors/Old@1/breakdown');
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({
      version: { '1.0': 17, '2.0': 3 },
      zone: { eu: 20 },
      canary: {},
      __first_seen__: {
        version: { '1.0': seconds('2024-05-01T10:00:00Z'), '2.0': seconds('2024-06-01T10:00:00Z') },
        zone: { eu: seconds('2024-05-01T10:00:00Z') },
        canary: {},
      },
    });
    expect((await periskop.get('/services/shop/errors/Nope@9/breakdown')).status).toBe(404);
  });

  it('filters the Go and UI lists by new_since, refusing a bad time', async () => {
    periskop = await start();
    const keys = (list: { aggregation_key: string }[]) => list.map((e) => e.aggregation_key);
    expect(keys((await periskop.get('/services/shop/errors/?new_since=2024-05-15T00:00:00Z')).json())).toEqual(['New@2']);
    expect(keys((await periskop.get('/services/shop/errors/?new_since=2024-04-01T00:00:00%2B02:00')).json())).toEqual(['New@2', 'Old@1']);
    const bad = await periskop.get('/services/shop/errors/?new_since=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body).toBe('new_since: "yesterday" is not an RFC 3339 time or Unix seconds\n');
    expect(keys((await periskop.get('/api/services/shop/errors?new_since=2024-05-15T00:00:00Z')).json().items)).toEqual(['New@2']);
    expect((await periskop.get('/api/services/shop/errors?new_since=soon')).json().message).toBe(
      'new_since: "soon" is not an RFC 3339 time or Unix seconds',
    );
  });

  it('gives each error of a page a sparkline of the last day', async () => {
    periskop = await start();
    const page = (await periskop.get('/api/services/shop/errors?sparkline&sort=total_count')).json();
    const sums = page.items.map((e: { aggregation_key: string; sparkline: number[] }) => [
      e.aggregation_key,
      e.sparkline.length,
      e.sparkline.reduce((a, b) => a + b, 0),
    ]);
    expect(sums).toEqual([
      ['Old@1', 24, 20],
      ['New@2', 24, 1],
    ]);
    expect((await periskop.get('/api/services/shop/errors')).json().items[0].sparkline).toBeUndefined();
  });

  it('keeps one periskop_error_occurrences series per error by default', async () => {
    periskop = await start();
    const metrics = (await periskop.get('/metrics')).body;
    expect(metrics).toContain('periskop_error_occurrences{service_name="shop",aggregation_key="Old@1",severity="error"} 20');
    expect(metrics).not.toMatch(/^periskop_error_occurrences\{.*version=/m);
  });

  it('splits periskop_error_occurrences by server.metrics_breakdown_label, also after a restart', async () => {
    periskop = await start({ metrics_breakdown_label: 'version' });
    const series = async () =>
      (await periskop!.get('/metrics')).body
        .split('\n')
        .filter((line) => line.startsWith('periskop_error_occurrences{service_name="shop",aggregation_key="Old@1"'));
    const expected = [
      'periskop_error_occurrences{service_name="shop",aggregation_key="Old@1",severity="error",version="1.0"} 17',
      'periskop_error_occurrences{service_name="shop",aggregation_key="Old@1",severity="error",version="2.0"} 3',
    ];
    expect((await series()).sort()).toEqual(expected);
    if (section.type !== 'embedded') return;
    // Memory read model: the restart rebuilds it from the log, and the metrics from it.
    await periskop.stop();
    periskop = await start({ metrics_breakdown_label: 'version' });
    expect((await series()).sort()).toEqual(expected);
  });
});
