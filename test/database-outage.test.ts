import { MockTarget, errorsPayload } from './support/mock-target.js';
import { PeriskopUnderTest } from './support/periskop-under-test.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from './support/test-databases.js';
import { temporaryDir } from './support/test-event-logs.js';
import { waitFor } from './support/wait-for.js';

// PostgreSQL reached through a proxy the test can cut: a real outage of the read model's
// database while the shared server stays up for the other tests.

describe('read model database outage', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let target: MockTarget;
  let periskop: PeriskopUnderTest;
  let events: { dir: string; remove: () => Promise<void> };

  beforeEach(async () => {
    database = await createTestDatabase('postgres');
    proxy = await TcpProxy.start(5432);
    target = await MockTarget.start();
    events = await temporaryDir();
  });

  afterEach(async () => {
    await periskop?.stop();
    await target.stop();
    await proxy.stop();
    await database.drop();
    await events.remove();
  });

  function config() {
    return {
      repository: { type: 'postgres', dsn: database.section.dsn!.replace('port=5432', `port=${proxy.port}`) },
      events: { type: 'embedded', path: events.dir },
      services: [{ name: 'svc', static_configs: [{ targets: [target.address] }], scraper: { endpoint: '/errors', refresh_interval: '100ms' } }],
    };
  }

  async function scrapedAgain(): Promise<void> {
    const hits = target.hits;
    await waitFor(() => target.hits >= hits + 3, 10_000, 'three scrapes');
  }

  async function total(): Promise<number | undefined> {
    const answer = await periskop.get('/services/svc/errors/');
    return answer.status === 200 ? answer.json()[0]?.total_count : undefined;
  }

  it('starts without its database, answers 503 naming it, and catches up when it is back', async () => {
    await proxy.down();
    target.body = errorsPayload('t', [{ key: 'E@1', total: 2, occurrences: [] }]);
    periskop = await PeriskopUnderTest.start(config(), 'listening');

    const health = await periskop.get('/-/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatch(/PostgreSQL 127\.0\.0\.1:\d+\/periskop_test_/);
    expect((await periskop.get('/services/')).status).toBe(503);
    await scrapedAgain();
    target.body = errorsPayload('t', [{ key: 'E@1', total: 5, occurrences: [] }]);
    await scrapedAgain();
    expect(periskop.log).toMatch(/PostgreSQL .* is unreachable \(attempt \d+, next in \d+ ms\)/);

    await proxy.up();
    await waitFor(async () => (await periskop.get('/-/health')).status === 200, 20_000, 'healthy again');
    await periskop.settled();
    expect(await total()).toBe(5);
  });

  it('stops projecting while the database is down and loses nothing', async () => {
    target.body = errorsPayload('t', [{ key: 'E@1', total: 1, occurrences: [] }]);
    periskop = await PeriskopUnderTest.start(config());
    await waitFor(async () => (await total()) === 1, 10_000, 'first count');

    await proxy.down();
    target.body = errorsPayload('t', [{ key: 'E@1', total: 4, occurrences: [] }]);
    await waitFor(async () => (await periskop.get('/-/health')).status === 503, 10_000, 'health to say 503');
    // Reads name the database instead of answering from a half-reachable read model.
    const read = await periskop.get('/services/svc/errors/');
    expect(read.status).toBe(503);
    expect(read.body).toMatch(/PostgreSQL 127\.0\.0\.1:\d+\/periskop_test_/);
    await scrapedAgain();
    const { checkpoint, head } = await periskop.projection();
    expect(checkpoint).toBeLessThan(head);

    await proxy.up();
    await waitFor(async () => (await periskop.get('/-/health')).status === 200, 30_000, 'healthy again');
    await periskop.settled();
    expect(await total()).toBe(4);
  });
});
