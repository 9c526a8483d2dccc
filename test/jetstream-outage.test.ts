import type { ChildProcess } from 'node:child_process';
import { MockTarget, errorsPayload } from './support/mock-target.js';
import { freePort, PeriskopUnderTest } from './support/periskop-under-test.js';
import { hasNatsServer, startNatsServer, stopNatsServer } from './support/private-nats.js';
import { temporaryDir } from './support/test-event-logs.js';
import { waitFor } from './support/wait-for.js';

// The real server on a private nats-server that is stopped mid-run and started again on the
// same port and store: the API keeps serving the read model, /-/health says degraded, what was
// scraped meanwhile is published once NATS is back (the scraper re-sends unrecorded changes),
// nothing acknowledged is lost and the projector resumes.

const describeWithServer = hasNatsServer ? describe : describe.skip;

describeWithServer('NATS restarted under the running server', () => {
  let nats: ChildProcess;
  let store: { dir: string; remove: () => Promise<void> };
  let target: MockTarget;
  let periskop: PeriskopUnderTest;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    store = await temporaryDir();
    nats = await startNatsServer(port, store.dir);
    target = await MockTarget.start();
    target.body = errorsPayload('t1', [{ key: 'E@1', total: 2, occurrences: [{ uuid: 'o1', timestamp: '2024-05-01T10:00:00Z' }] }]);
    periskop = await PeriskopUnderTest.start({
      events: { type: 'jetstream', url: `nats://127.0.0.1:${port}`, stream: 'OUTAGE' },
      services: [{ name: 'svc', static_configs: [{ targets: [target.address] }], scraper: { refresh_interval: '200ms' } }],
    });
  }, 30_000);

  afterAll(async () => {
    await periskop?.stop();
    await target?.stop();
    if (nats) await stopNatsServer(nats);
    await store?.remove();
  });

  type GoError = { aggregation_key: string; total_count: number; latest_errors: { uuid: string }[] };
  const errors = async () => (await periskop.get('/services/svc/errors/')).json() as GoError[];

  it('serves the read model and says degraded while NATS is down, then records what it missed', async () => {
    await waitFor(async () => (await periskop.get('/services/svc/errors/')).status === 200 && (await errors())[0]?.total_count === 2, 10_000, 'the first count');
    expect((await periskop.get('/-/health')).status).toBe(200);

    await stopNatsServer(nats);
    target.body = errorsPayload('t1', [
      { key: 'E@1', total: 5, occurrences: [{ uuid: 'o1', timestamp: '2024-05-01T10:00:00Z' }, { uuid: 'o2', timestamp: '2024-05-01T10:01:00Z' }] },
      { key: 'E@2', total: 1, occurrences: [{ uuid: 'p1', timestamp: '2024-05-01T10:02:00Z' }] },
    ]);
    await waitFor(async () => (await periskop.get('/-/health')).body.startsWith('degraded'), 15_000, 'health to say degraded');
    const health = await periskop.get('/-/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatch(/^degraded: the event log \(JetStream nats:\/\/127\.0\.0\.1:\d+, stream OUTAGE\) is unreachable: .+; the API serves the read model, new changes wait\n?$/);
    // The scrape that saw the new totals keeps retrying its publish (same message id each time).
    await waitFor(() => /JetStream publish of "[^"]+" to \S+ failed \(attempt 2\), retrying/.test(periskop.log), 20_000, 'a retried publish');
    // Reads keep working from the read model.
    const during = await periskop.get('/services/svc/errors/');
    expect(during.status).toBe(200);
    expect(during.json()[0].total_count).toBe(2);

    nats = await startNatsServer(port, store.dir);
    await waitFor(async () => (await periskop.get('/-/health')).status === 200, 30_000, 'health to recover');
    await waitFor(async () => {
      const now = await errors();
      return now.length === 2 && now.find((e) => e.total_count === 5) !== undefined;
    }, 30_000, 'the counts scraped during the outage');
    await periskop.settled();
    const after = await errors();
    const byKey = Object.fromEntries(after.map((e) => [e.aggregation_key, e]));
    expect(byKey['E@1']).toMatchObject({ total_count: 5 });
    expect(byKey['E@1']!.latest_errors.map((o) => o.uuid)).toEqual(['o2', 'o1']);
    expect(byKey['E@2']).toMatchObject({ total_count: 1 });
    // Nothing counted twice although the scraper re-sent its unrecorded changes.
    const { checkpoint, head } = await periskop.projection();
    expect(checkpoint).toBe(head);
  }, 90_000);
});
