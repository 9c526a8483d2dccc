// http_sd_configs against a local HTTP server that checks the credentials it is sent.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import type { HttpSdConfig } from '../src/config/config.types.js';
import { parseHttpSdConfig } from '../src/config/sd-config.js';
import { YamlNode } from '../src/config/yaml-node.js';
import { HttpDiscovery } from '../src/discovery/http-discovery.js';
import { DiscoveryProbe, LogCapture } from './support/discovery-probe.js';
import { SD_TEST_CERTIFICATE, SD_TEST_KEY } from './support/test-certificate.js';

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

const json = (value: unknown): Answer => ({ status: 200, contentType: 'application/json', body: JSON.stringify(value) });

describe('http_sd_configs', () => {
  let server: Server;
  let base: string;
  let dir: string;
  let logs: LogCapture;
  /** What the server answers to a request carrying the expected Authorization header. */
  let answer: Answer;
  let expectedAuthorization: string | undefined;
  const requests: { url: string; authorization?: string; refreshHeader?: string }[] = [];
  const probes: DiscoveryProbe[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'periskop-http-sd-'));
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      requests.push({
        url: request.url!,
        authorization: request.headers.authorization,
        refreshHeader: request.headers['x-prometheus-refresh-interval-seconds'] as string | undefined,
      });
      if (request.url === '/moved') {
        response.writeHead(302, { Location: '/targets' }).end();
        return;
      }
      if (request.headers.authorization !== expectedAuthorization) {
        response.writeHead(401, { 'Content-Type': 'text/plain' }).end('unauthorized');
        return;
      }
      response.writeHead(answer.status, { 'Content-Type': answer.contentType }).end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    logs = new LogCapture();
    requests.length = 0;
    expectedAuthorization = undefined;
    answer = json([]);
  });
  afterEach(async () => {
    await Promise.all(probes.splice(0).map((p) => p.stop()));
    logs.restore();
  });

  /** The block as a prometheus.yml would have it, parsed by the real config parser. */
  async function discover(yaml: string): Promise<{ probe: DiscoveryProbe; mechanism: HttpDiscovery; config: HttpSdConfig }> {
    const config = parseHttpSdConfig(new YamlNode(load(yaml.replaceAll('BASE', base).replaceAll('DIR', dir)), 'test.yaml', 'http_sd_configs[0]'));
    const mechanism = new HttpDiscovery(config, 0, 'shop');
    const probe = await new DiscoveryProbe(mechanism).start();
    probes.push(probe);
    return { probe, mechanism, config };
  }

  it('reads Prometheus HTTP SD groups, adds __meta_url, and sends basic_auth with password_file', async () => {
    await writeFile(join(dir, 'password'), 's3cret\n');
    expectedAuthorization = `Basic ${Buffer.from('periskop:s3cret').toString('base64')}`;
    answer = json([
      { targets: ['checkout-1:7777', 'checkout-2:7777'], labels: { zone: 'eu-1' } },
      { targets: ['checkout-3:7777'] },
    ]);
    const { probe } = await discover('{url: BASE/targets, basic_auth: {username: periskop, password_file: DIR/password}}');
    await probe.untilAddresses(['checkout-1:7777', 'checkout-2:7777', 'checkout-3:7777']);
    expect(probe.latest).toEqual([
      { source: `${base}/targets:0`, targets: ['checkout-1:7777', 'checkout-2:7777'], labels: { zone: 'eu-1', __meta_url: `${base}/targets` } },
      { source: `${base}/targets:1`, targets: ['checkout-3:7777'], labels: { __meta_url: `${base}/targets` } },
    ]);
    expect(requests[0]).toEqual({ url: '/targets', authorization: expectedAuthorization, refreshHeader: '60' });
  });

  it.each([
    ['authorization credentials (type Bearer by default)', '{url: BASE/targets, authorization: {credentials: t0k3n}}', 'Bearer t0k3n'],
    ['authorization with a type and credentials_file', '{url: BASE/targets, authorization: {type: Token, credentials_file: DIR/token}}', 'Token from-file'],
    ['legacy bearer_token', '{url: BASE/targets, bearer_token: t0k3n}', 'Bearer t0k3n'],
    ['legacy bearer_token_file', '{url: BASE/targets, bearer_token_file: DIR/token}', 'Bearer from-file'],
  ])('sends %s', async (_name, yaml, authorization) => {
    await writeFile(join(dir, 'token'), '  from-file\n');
    expectedAuthorization = authorization;
    answer = json([{ targets: ['a:1'] }]);
    const { probe } = await discover(yaml);
    await probe.untilAddresses(['a:1']);
  });

  it('keeps the last known targets through every kind of failure, logging each problem once', async () => {
    answer = json([{ targets: ['a:1', 'b:1'] }]);
    const { probe, mechanism } = await discover('{url: BASE/targets}');
    await probe.untilAddresses(['a:1', 'b:1']);
    const reports = probe.reports.length;

    const failures: [Answer, RegExp][] = [
      [{ status: 500, contentType: 'text/plain', body: 'boom' }, /server returned HTTP status 500/],
      [{ status: 200, contentType: 'text/html', body: '[]' }, /unsupported content type "text\/html" \(expected application\/json\)/],
      [{ status: 200, contentType: 'application/json', body: '[{"targets": ["a:1"' }, /not valid JSON/],
      [json({ targets: ['a:1'] }), /response: expected a list of target groups/],
      [json([{ targets: [1] }]), /response: \[0\]\.targets\[0\]: expected a string, got number 1/],
      [json([{ targets: ['a:1'], labels: { 'bad-name': 'x' } }]), /response: \[0\]\.labels\.bad-name: "bad-name" is not a valid label name/],
    ];
    for (const [failing, message] of failures) {
      answer = failing;
      await mechanism.refresh();
      await mechanism.refresh();
      expect(logs.matching(message)).toEqual([
        expect.stringMatching(new RegExp(`^ERROR service "shop": http_sd_configs\\[0\\]: ${base}/targets: .*\\(keeping the last known targets\\)$`)),
      ]);
    }
    expect(probe.reports.length).toBe(reports);
    expect(probe.failures).toBe(failures.length * 2);

    answer = { status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify([{ targets: ['c:1'] }]) };
    await mechanism.refresh();
    await probe.untilAddresses(['c:1']);
    expect(logs.matching(/answers again/)).toHaveLength(1);
  });

  it('a refused request (wrong credentials) is a failure with no targets yet', async () => {
    expectedAuthorization = 'Bearer right';
    const { mechanism, probe } = await discover('{url: BASE/targets, authorization: {credentials: wrong}}');
    await mechanism.refresh();
    expect(probe.reports).toEqual([]);
    expect(logs.matching(/server returned HTTP status 401 \(no targets from it until it answers\)/)).toHaveLength(1);
  });

  it('follows redirects', async () => {
    answer = json([{ targets: ['a:1'] }]);
    const { probe } = await discover('{url: BASE/moved}');
    await probe.untilAddresses(['a:1']);
    expect(requests.map((r) => r.url)).toEqual(['/moved', '/targets']);
  });

  it('fetches again every refresh_interval', async () => {
    answer = json([{ targets: ['a:1'] }]);
    const { probe } = await discover('{url: BASE/targets, refresh_interval: 50ms}');
    await probe.untilAddresses(['a:1']);
    answer = json([{ targets: ['b:1'] }]);
    await probe.untilAddresses(['b:1']);
  });

  describe('over https', () => {
    let httpsServer: Server;
    let httpsBase: string;

    beforeAll(async () => {
      await writeFile(join(dir, 'ca.pem'), SD_TEST_CERTIFICATE);
      httpsServer = createHttpsServer({ cert: SD_TEST_CERTIFICATE, key: SD_TEST_KEY }, (_request, response) => {
        response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify([{ targets: ['tls:1'] }]));
      });
      await new Promise<void>((resolve) => httpsServer.listen(0, '127.0.0.1', resolve));
      httpsBase = `https://127.0.0.1:${(httpsServer.address() as { port: number }).port}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => httpsServer.close(resolve));
    });

    it.each([
      ['trusts tls_config.ca_file, checking the certificate against server_name', '{ca_file: DIR/ca.pem, server_name: sd.test}'],
      ['skips verification with insecure_skip_verify', '{insecure_skip_verify: true, min_version: TLS12}'],
    ])('%s', async (_name, tls) => {
      const { probe } = await discover(`{url: "${httpsBase}/targets", tls_config: ${tls}}`);
      await probe.untilAddresses(['tls:1']);
    });

    it.each([
      ['refuses a certificate it cannot verify', '', /self-signed certificate/],
      ['refuses a certificate for another name', ', tls_config: {ca_file: DIR/ca.pem}', /IP: 127\.0\.0\.1 is not in the cert's list/],
    ])('%s', async (_name, extra, problem) => {
      const { mechanism, probe } = await discover(`{url: "${httpsBase}/targets"${extra}}`);
      await mechanism.refresh();
      expect(probe.reports).toEqual([]);
      expect(logs.matching(problem)).toHaveLength(1);
    });
  });
});
