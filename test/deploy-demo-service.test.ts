import { join } from 'node:path';
import { REPO_ROOT } from './support/deploy-files.js';
import { NodeProgram } from './support/node-program.js';
import { freePort, PeriskopUnderTest } from './support/periskop-under-test.js';
import { waitFor } from './support/wait-for.js';

// The compose stack's demo service (deploy/demo-service), run as its image runs it, scraped by
// the real server: its errors, collected by @periskop/client, show up in Periskop's API.

const FAILURE_CLASSES = ['InventoryTimeoutError', 'PaymentDeclinedError', 'SyntaxError', 'TypeError'];

describe('deploy/demo-service', () => {
  let demo: NodeProgram;
  let periskop: PeriskopUnderTest;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    demo = await NodeProgram.start([join(REPO_ROOT, 'deploy/demo-service/demo-service.mjs')], {
      cwd: join(REPO_ROOT, 'deploy/demo-service'),
      env: { ...process.env, PORT: String(port), FAILURE_INTERVAL: '20ms' },
      readyText: 'demo-service listening on',
    });
    periskop = await PeriskopUnderTest.start({
      services: [
        {
          name: 'demo-service',
          static_configs: [{ targets: [`127.0.0.1:${port}`] }],
          scraper: { endpoint: '/errors', refresh_interval: '500ms' },
        },
      ],
    });
  });

  afterAll(async () => {
    await periskop?.stop();
    await demo?.stop();
  });

  it('answers its health check', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
  });

  it('produces errors of every kind it simulates, which Periskop aggregates', async () => {
    const errors = await waitFor(
      async () => {
        const answer = await periskop.get('/services/demo-service/errors/');
        if (answer.status !== 200) return undefined;
        const found: Array<{ aggregation_key: string; total_count: number; severity: string }> = answer.json();
        const classes = new Set(found.map((error) => error.aggregation_key.split('@')[0]));
        return FAILURE_CLASSES.every((name) => classes.has(name)) ? found : undefined;
      },
      20_000,
      'every failure kind of the demo service in Periskop',
    );
    const severityOf = (name: string) => errors.find((error) => error.aggregation_key.startsWith(`${name}@`))!.severity;
    expect(FAILURE_CLASSES.map(severityOf)).toEqual(['warning', 'error', 'error', 'info']);
    for (const error of errors) expect(error.total_count).toBeGreaterThan(0);
  });
});
