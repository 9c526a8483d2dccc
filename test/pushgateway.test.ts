import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ErrorCollector, pushToGateway } from '@periskop/client';
import { parseScrapedPayload } from '../src/scraper/payload.js';
import { freePort, PeriskopUnderTest } from './support/periskop-under-test.js';
import { temporaryDir } from './support/test-event-logs.js';
import { waitFor } from './support/wait-for.js';

// `periskop pushgateway`, run through the command line, fed by the client library's
// pushToGateway and scraped by a real Periskop on /-/errors.

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

class PushgatewayUnderTest {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  static async start(): Promise<PushgatewayUnderTest> {
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN, 'pushgateway', '--port', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CONFIG_FILE: '', PORT: '' },
    });
    const gateway = new PushgatewayUnderTest(child, port);
    let exited = false;
    child.once('exit', () => (exited = true));
    await waitFor(async () => {
      if (exited) throw new Error(`the pushgateway exited during start:\n${gateway.output}`);
      return gateway.output.includes('periskop pushgateway listening on');
    }, 20_000, 'the pushgateway to listen');
    return gateway;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get log(): string {
    return this.output;
  }

  async errors() {
    const response = await fetch(`${this.url}/-/errors`);
    expect(response.status).toBe(200);
    return parseScrapedPayload(await response.json());
  }

  async totals(): Promise<Record<string, number>> {
    return Object.fromEntries((await this.errors()).aggregated_errors.map((a) => [a.aggregation_key, a.total_count]));
  }

  /** SIGTERM and wait for the exit; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.kill('SIGTERM');
    return exited;
  }
}

/** A batch job's client: its own collector, so its own target_uuid. */
function batchJob(failures: number, key = 'import-failed'): ErrorCollector {
  const collector = new ErrorCollector();
  for (let i = 0; i < failures; i += 1) collector.report(new Error(`row ${i} rejected`), { key });
  return collector;
}

function report(collector: ErrorCollector, failures: number, key = 'import-failed'): void {
  for (let i = 0; i < failures; i += 1) collector.report(new Error('late failure'), { key });
}

describe('periskop pushgateway', () => {
  let gateway: PushgatewayUnderTest;

  beforeAll(async () => {
    gateway = await PushgatewayUnderTest.start();
  });

  afterAll(async () => {
    expect(await gateway.stop()).toBe(0);
  });

  it('answers its health check like periskop-pushgateway', async () => {
    const response = await fetch(`${gateway.url}/-/health`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('OK');
  });

  it('counts exactly: a re-push counts nothing twice, growth counts once, instances add up', async () => {
    const first = batchJob(2, 'counting');
    await pushToGateway(first, gateway.url);
    expect((await gateway.totals())['counting']).toBe(2);
    await pushToGateway(first, gateway.url);
    expect((await gateway.totals())['counting']).toBe(2);

    report(first, 3, 'counting');
    await pushToGateway(first, gateway.url);
    expect((await gateway.totals())['counting']).toBe(5);

    const second = batchJob(4, 'counting');
    await pushToGateway(second, gateway.url);
    await pushToGateway(second, gateway.url);
    expect((await gateway.totals())['counting']).toBe(9);
  });

  it('serves the scraped format with its own stable target_uuid and the latest occurrences newest first', async () => {
    const job = batchJob(12, 'format');
    await pushToGateway(job, gateway.url);
    const before = await gateway.errors();
    const again = await gateway.errors();
    expect(before.target_uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(again.target_uuid).toBe(before.target_uuid);
    expect(before.target_uuid).not.toBe(job.targetUuid);

    const aggregate = before.aggregated_errors.find((a) => a.aggregation_key === 'format')!;
    expect(aggregate).toMatchObject({ total_count: 12, severity: 'error' });
    const pushedUuids = job.export().aggregated_errors[0]!.latest_errors.map((o) => o.uuid);
    // The ten latest (reported within the same millisecond or so: compared as a set), newest first.
    expect(aggregate.latest_errors.map((o) => o.uuid).sort()).toEqual([...pushedUuids].sort());
    const timestamps = aggregate.latest_errors.map((o) => o.timestamp);
    expect(timestamps).toEqual([...timestamps].sort((a, b) => b - a));

    const trailingSlash = await fetch(`${gateway.url}/-/errors/`);
    expect(parseScrapedPayload(await trailingSlash.json()).target_uuid).toBe(before.target_uuid);
  });

  it('refuses a wrong shape with 400 naming the field, and a body over 16 MiB with 413', async () => {
    const post = (body: string) => fetch(`${gateway.url}/errors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

    const wrong = await post(JSON.stringify({ target_uuid: 't', aggregated_errors: [{ aggregation_key: 'k', total_count: 'many' }] }));
    expect(wrong.status).toBe(400);
    expect((await wrong.json()) as object).toMatchObject({ field: 'aggregated_errors[0].total_count' });

    const broken = await post('{"aggregated_errors": [');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { message: string }).message).toMatch(/^invalid JSON/);

    const large = await post(JSON.stringify({ target_uuid: 't', aggregated_errors: [], padding: 'x'.repeat(17 * 2 ** 20) }));
    expect(large.status).toBe(413);
    expect(((await large.json()) as { message: string }).message).toMatch(/larger than the limit/);
  });

  it('reports a refused push through pushToGateway with the status and the reason', async () => {
    await expect(pushToGateway(new ErrorCollector(), `${gateway.url}/nowhere`)).rejects.toThrow(
      `periskop push to ${gateway.url}/nowhere/errors failed: HTTP 404 Not Found`,
    );
  });

  describe('scraped by Periskop', () => {
    let periskop: PeriskopUnderTest;
    let events: { dir: string; remove: () => Promise<void> };

    beforeAll(async () => {
      events = await temporaryDir();
      periskop = await PeriskopUnderTest.start({
        events: { type: 'embedded', path: events.dir },
        services: [
          {
            name: 'batch',
            static_configs: [{ targets: [`127.0.0.1:${gateway.port}`] }],
            scraper: { endpoint: '/-/errors', refresh_interval: '100ms' },
          },
        ],
      });
    });

    afterAll(async () => {
      await periskop.stop();
      await events.remove();
    });

    async function periskopTotal(key: string): Promise<number | undefined> {
      await periskop.settled();
      const answer = await periskop.get('/services/batch/errors/');
      if (answer.status !== 200) return undefined;
      return (answer.json() as { aggregation_key: string; total_count: number }[]).find((e) => e.aggregation_key === key)?.total_count;
    }

    it('shows the counts pushed to the gateway, re-pushes included only once', async () => {
      const nightly = batchJob(3, 'nightly');
      await pushToGateway(nightly, gateway.url);
      await waitFor(async () => (await periskopTotal('nightly')) === 3, 15_000, 'Periskop to show 3');

      // The same state again, across several scrapes: still 3.
      await pushToGateway(nightly, gateway.url);
      const scrapes = async () => (await periskop.get('/metrics')).body;
      const before = await scrapes();
      await waitFor(async () => (await scrapes()) !== before, 5_000, 'another scrape');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await periskopTotal('nightly')).toBe(3);

      // Another run of the job, with its own instance: the sum.
      await pushToGateway(batchJob(2, 'nightly'), gateway.url);
      await waitFor(async () => (await periskopTotal('nightly')) === 5, 15_000, 'Periskop to show 5');
      expect((await periskop.get('/targets/')).json()).toEqual({ batch: [{ endpoint: `http://127.0.0.1:${gateway.port}/-/errors` }] });
    });

    it("takes the same client's pushes on its own push endpoint, /push/<service>", async () => {
      const job = batchJob(2, 'direct');
      const url = `${periskop.baseUrl}/push/${encodeURIComponent('batch jobs')}`;
      await pushToGateway(job, url);
      await pushToGateway(job, url);
      await periskop.settled();
      const [error] = (await periskop.get('/services/batch%20jobs/errors/')).json();
      expect(error).toMatchObject({ aggregation_key: 'direct', total_count: 2 });
    });
  });
});
