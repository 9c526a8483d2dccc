import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MockTarget, errorsPayload } from './support/mock-target.js';
import { PeriskopUnderTest } from './support/periskop-under-test.js';
import { waitFor } from './support/wait-for.js';

const sample = (n: number) =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`./fixtures/payloads/sample-response${n}.json`, import.meta.url)), 'utf8'));

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * The Go server's observable behaviour on a config file written for it, run once per event
 * log. `events` is the config's `events` section (absent = the embedded default).
 */
export function describePipeline(label: string, events: () => Promise<{ section: Record<string, unknown>; cleanup: () => Promise<void> }>) {
  describe(`pipeline on ${label}`, () => {
    let a: MockTarget;
    let b: MockTarget;
    let periskop: PeriskopUnderTest;
    let cleanup: () => Promise<void>;
    let raw: Record<string, unknown>;

    beforeEach(async () => {
      a = await MockTarget.start();
      b = await MockTarget.start();
      const log = await events();
      cleanup = log.cleanup;
      raw = {
        repository: { type: 'memory' },
        events: log.section,
        services: [
          {
            name: 'api.payments v2',
            static_configs: [{ targets: [a.address, b.address] }],
            scraper: { endpoint: '/errors', refresh_interval: '100ms' },
          },
        ],
      };
    });

    afterEach(async () => {
      await periskop?.stop();
      await a.stop();
      await b.stop();
      await cleanup();
    });

    /**
     * Waits until a whole scrape cycle that began after the targets' answers last changed has
     * been recorded and projected. Cycles of a service run one after another, so the third
     * request after a change proves that a cycle seeing the change on both targets ended.
     */
    async function scraped(): Promise<void> {
      const [hitsA, hitsB] = [a.hits, b.hits];
      await waitFor(() => a.hits >= hitsA + 3 && b.hits >= hitsB + 3, 10_000, 'three scrape cycles');
      await periskop.settled();
    }

    async function occurrenceMetrics(): Promise<string[]> {
      return (await periskop.get('/metrics')).body.split('\n').filter((line) => line.startsWith('periskop_error_occurrences{'));
    }

    const service = 'api.payments v2';
    const errorsPath = `/services/${encodeURIComponent(service)}/errors/`;

    it('answers the reference payloads of two instances as the Go server would', async () => {
      a.body = sample(1);
      b.body = sample(2);
      periskop = await PeriskopUnderTest.start(raw);
      await scraped();

      expect((await periskop.get('/services/')).json()).toEqual([service]);
      const errors = (await periskop.get(errorsPath)).json();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        aggregation_key: 'com.soundcloud.Foon@e28e036e',
        total_count: 4,
        severity: 'error',
        created_at: seconds('2018-09-13T15:23:30.630Z'),
      });
      expect(errors[0].latest_errors.map((e: { uuid: string }) => e.uuid)).toEqual(['uuid4', 'uuid2', 'uuid3', 'uuid1']);
      expect(errors[0].latest_errors[0]).toEqual({
        error: { class: 'com.soundcloud.Foo', message: '', stacktrace: ['com.soundcloud.Bar'], cause: null },
        uuid: 'uuid4',
        timestamp: seconds('2018-09-13T16:26:30.630Z'),
        severity: 'error',
        http_context: { request_method: 'GET', request_url: 'http://url', request_headers: { Key: 'value' }, request_body: '' },
      });
      const targets = (await periskop.get('/targets/')).json();
      expect(targets[service].map((t: { endpoint: string }) => t.endpoint).sort()).toEqual([a.url, b.url].sort());
    });

    it('counts each new occurrence once, across scrapes and instances', async () => {
      const key = 'java.lang.IllegalStateException@1a2b3c';
      a.body = errorsPayload('instance-a', [{ key, total: 2, occurrences: [{ uuid: 'a1', timestamp: '2024-05-01T10:00:00Z' }, { uuid: 'a2', timestamp: '2024-05-01T10:01:00.5+02:00' }] }]);
      b.body = errorsPayload('instance-b', [{ key, total: 1, occurrences: [{ uuid: 'b1', timestamp: '2024-05-01T10:02:00.123456789Z' }] }]);
      periskop = await PeriskopUnderTest.start(raw);
      await scraped();
      await scraped();
      expect((await periskop.get(errorsPath)).json()[0].total_count).toBe(3);

      a.body = errorsPayload('instance-a', [{ key, total: 5, occurrences: [{ uuid: 'a3', timestamp: '2024-05-01T11:00:00Z' }] }]);
      await scraped();
      const [error] = (await periskop.get(errorsPath)).json();
      expect(error.total_count).toBe(6);
      expect(error.latest_errors.map((e: { uuid: string }) => e.uuid)).toEqual(['a3', 'b1', 'a1', 'a2']);
    });

    it('counts the errors of a restarted instance', async () => {
      const key = 'E@1';
      a.body = errorsPayload('run-1', [{ key, total: 4, occurrences: [] }]);
      periskop = await PeriskopUnderTest.start(raw);
      await scraped();
      a.body = errorsPayload('run-2', [{ key, total: 1, occurrences: [] }]);
      await scraped();
      // No target_uuid: the URL identifies the instance, and a lower total is a restart.
      b.body = errorsPayload(null, [{ key, total: 3, occurrences: [] }]);
      await scraped();
      b.body = errorsPayload(null, [{ key, total: 2, occurrences: [] }]);
      await scraped();
      expect((await periskop.get(errorsPath)).json()[0].total_count).toBe(4 + 1 + 3 + 2);
    });

    it('hides a resolved error until a new occurrence arrives', async () => {
      const key = 'payments/refund failed@ab cd';
      a.body = errorsPayload('a', [{ key, total: 1, occurrences: [{ uuid: 'x1', timestamp: '2024-05-01T10:00:00Z' }] }]);
      periskop = await PeriskopUnderTest.start(raw);
      await scraped();

      expect(await periskop.delete(`${errorsPath}${encodeURIComponent(key)}/`)).toBe(204);
      await periskop.settled();
      expect((await periskop.get(errorsPath)).json()).toEqual([]);

      await scraped();
      expect((await periskop.get(errorsPath)).json()).toEqual([]);

      a.body = errorsPayload('a', [{ key, total: 2, occurrences: [{ uuid: 'x2', timestamp: '2024-05-01T12:00:00Z' }] }]);
      await scraped();
      const errors = (await periskop.get(errorsPath)).json();
      expect(errors.map((e: { aggregation_key: string; total_count: number }) => [e.aggregation_key, e.total_count])).toEqual([[key, 2]]);
    });

    it('resolves a key written with raw slashes in the path', async () => {
      const key = 'a/b/c@1';
      a.body = errorsPayload('a', [{ key, total: 1, occurrences: [] }]);
      periskop = await PeriskopUnderTest.start(raw);
      await scraped();
      expect(await periskop.delete(`${errorsPath}${key}/`)).toBe(204);
      await periskop.settled();
      expect((await periskop.get(errorsPath)).json()).toEqual([]);
    });

    it('answers 404 naming an unknown service', async () => {
      periskop = await PeriskopUnderTest.start(raw);
      const response = await periskop.get('/services/nope/errors/');
      expect(response.status).toBe(404);
      expect(response.body).toBe('service nope not found\n');
      expect(await periskop.delete('/services/nope/errors/k/')).toBe(404);
    });

    it('keeps counting the good instance while the other one fails', async () => {
      a.body = errorsPayload('a', [{ key: 'E@1', total: 1, occurrences: [] }]);
      b.body = 'this is not json';
      periskop = await PeriskopUnderTest.start(raw);
      await scraped();
      expect((await periskop.get(errorsPath)).json()[0].total_count).toBe(1);
      const metrics = (await periskop.get('/metrics')).body;
      expect(metrics).toContain(`periskop_instances_scrapped{service_name="${service}"} 1`);
      expect(metrics).toContain(`periskop_error_occurrences{service_name="${service}",aggregation_key="E@1",severity="error"} 1`);
    });

    it('keeps scraping the good instance on time while the other one hangs', async () => {
      (raw.services as { scraper: Record<string, string> }[])[0]!.scraper.timeout = '30s';
      a.body = errorsPayload('a', [{ key: 'E@1', total: 1, occurrences: [] }]);
      b.hang = true;
      periskop = await PeriskopUnderTest.start(raw);
      const hits = a.hits;
      await waitFor(() => a.hits >= hits + 5, 5_000, 'five scrapes of the good instance');
      a.body = errorsPayload('a', [{ key: 'E@1', total: 2, occurrences: [] }]);
      const after = a.hits;
      await waitFor(() => a.hits >= after + 3, 5_000, 'three more scrapes');
      await periskop.settled();
      expect((await periskop.get(errorsPath)).json()[0].total_count).toBe(2);
    });

    it('rebuilds the same answers from the durable log after a restart', async () => {
      a.body = sample(1);
      b.body = sample(2);
      periskop = await PeriskopUnderTest.start(raw);
      await scraped();
      const before = (await periskop.get(errorsPath)).body;
      const occurrencesBefore = await occurrenceMetrics();
      expect(occurrencesBefore).toEqual([`periskop_error_occurrences{service_name="${service}",aggregation_key="com.soundcloud.Foon@e28e036e",severity="error"} 4`]);
      await periskop.stop();

      periskop = await PeriskopUnderTest.start(raw);
      await periskop.settled();
      expect((await periskop.get(errorsPath)).body).toBe(before);
      expect(await occurrenceMetrics()).toEqual(occurrencesBefore);
      await scraped();
      expect((await periskop.get(errorsPath)).body).toBe(before);
    });
  });
}
