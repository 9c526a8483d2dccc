import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './config-error.js';
import type { PeriskopConfig, ServiceConfig } from './config.types.js';
import { loadConfig, parseConfigText } from './load-config.js';
import { DEFAULT_OCCURRENCE_RETENTION_MS } from './server-config.js';
import { DEFAULT_SNAPSHOTS } from './snapshot-config.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/config/', import.meta.url));
const SAMPLE_CONFIG = fileURLToPath(new URL('../../config/periskop.yaml', import.meta.url));
const fixture = (name: string): string => path.join(FIXTURES, name);

const NO_ENV = {};

const DEFAULT_SCRAPER = { endpoint: '/errors', refreshIntervalMs: 10_000, timeoutMs: 10_000, bodyLimitBytes: 16 * 2 ** 20 };

function service(name: string, overrides: Partial<ServiceConfig> = {}): ServiceConfig {
  return { name, staticConfigs: [], scraper: DEFAULT_SCRAPER, ...overrides };
}

function configErrorFrom(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, but the config loaded');
}

describe('loadConfig', () => {
  it('loads the Go server dev config unchanged, its dns_sd_configs included', () => {
    const file = fixture('go-config.dev.yaml');
    expect(loadConfig(file, NO_ENV)).toEqual<PeriskopConfig>({
      file,
      repository: { type: 'memory' },
      events: { type: 'embedded', path: 'data/events', snapshots: DEFAULT_SNAPSHOTS },
      server: { port: 8080, metricsKeysPerService: 1000, metricsBreakdownLabel: null, occurrenceRetentionMs: DEFAULT_OCCURRENCE_RETENTION_MS },
      services: [
        service('mock-target', { dnsSdConfigs: [{ names: ['localhost'], type: 'A', port: 7778, refreshIntervalMs: 10_000 }] }),
        service('periskop', { staticConfigs: [{ targets: ['localhost:7777'], labels: {} }] }),
      ],
    });
  });

  it('loads the sample config/periskop.yaml that scrapes this server itself', () => {
    expect(loadConfig(SAMPLE_CONFIG, NO_ENV)).toEqual<PeriskopConfig>({
      file: SAMPLE_CONFIG,
      repository: { type: 'memory' },
      events: { type: 'embedded', path: 'data/events', snapshots: DEFAULT_SNAPSHOTS },
      server: { port: 8080, metricsKeysPerService: 1000, metricsBreakdownLabel: null, occurrenceRetentionMs: DEFAULT_OCCURRENCE_RETENTION_MS },
      services: [service('periskop', { staticConfigs: [{ targets: ['localhost:8080'], labels: {} }] })],
    });
  });

  it('reads every option, YAML merge keys included', () => {
    const file = fixture('every-option.yaml');
    const apiScraper = { endpoint: '/internal/errors', refreshIntervalMs: 30_000, timeoutMs: 5_000, bodyLimitBytes: 512 * 1024 };
    expect(loadConfig(file, NO_ENV)).toEqual<PeriskopConfig>({
      file,
      repository: {
        type: 'postgres',
        dsn: 'host=db user=periskop dbname=periskop sslmode=disable',
        connection: { host: 'db', user: 'periskop', dbName: 'periskop', params: { sslmode: 'disable' } },
      },
      events: {
        type: 'jetstream',
        url: 'nats://nats-1:4222,tls://nats-2:4222',
        stream: 'PERISKOP_PROD',
        replicas: 3,
        maxAgeMs: 720 * 3_600_000,
        maxBytes: 10 * 2 ** 30,
        subjectPrefix: 'errors',
        snapshots: DEFAULT_SNAPSHOTS,
      },
      server: { port: 9090, metricsKeysPerService: 1000, metricsBreakdownLabel: null, occurrenceRetentionMs: DEFAULT_OCCURRENCE_RETENTION_MS },
      services: [
        service('api', {
          staticConfigs: [{ targets: ['api-1:7777', 'http://api-2:7777'], labels: { env: 'prod', shard: '1' } }],
          scraper: apiScraper,
          push: { token: 's3cret' },
          breakdownLabels: ['env'],
        }),
        service('worker', { scraper: { ...apiScraper, refreshIntervalMs: 60_000 } }),
      ],
    });
  });

  it.each([
    ['PORT overrides server.port', { PORT: '9999' }, 9999],
    ['an empty PORT counts as unset', { PORT: '' }, 9090],
    ['no PORT keeps server.port', {}, 9090],
  ])('%s', (_behaviour, env, port) => {
    expect(loadConfig(fixture('every-option.yaml'), env).server.port).toBe(port);
  });

  it.each([
    ['a PORT that is not a number', 'abc', 'environment: PORT: "abc" is not a port number (1..65535)'],
    ['a PORT out of range', '70000', 'environment: PORT: "70000" is not a port number (1..65535)'],
    ['PORT 0', '0', 'environment: PORT: "0" is not a port number (1..65535)'],
  ])('refuses %s, naming PORT', (_behaviour, port, message) => {
    const error = configErrorFrom(() => loadConfig(fixture('every-option.yaml'), { PORT: port }));
    expect(error.message).toBe(message);
    expect(error.path).toBe('PORT');
  });

  it('names the file and line of a YAML syntax error', () => {
    const file = fixture('syntax-error.yaml');
    const error = configErrorFrom(() => loadConfig(file, NO_ENV));
    expect(error.message).toBe(`${file}: line 5, column 6: YAML syntax error: bad indentation of a mapping entry`);
    expect(error.file).toBe(file);
    expect(error.line).toBe(5);
  });

  it('names the file when it does not exist', () => {
    const error = configErrorFrom(() => loadConfig('test/fixtures/config/missing.yaml', NO_ENV));
    expect(error.message).toBe(
      'test/fixtures/config/missing.yaml: file not found (give another with --config or CONFIG_FILE)',
    );
  });
});

describe('parseConfigText defaults', () => {
  const parse = (text: string): PeriskopConfig => parseConfigText(text, 'test.yaml');

  it.each<[string, string, Record<string, unknown>]>([
    [
      'only services: memory repository, embedded events, port 8080',
      'services: []',
      { repository: { type: 'memory' }, events: { type: 'embedded', path: 'data/events', snapshots: DEFAULT_SNAPSHOTS }, server: { port: 8080, metricsKeysPerService: 1000, metricsBreakdownLabel: null, occurrenceRetentionMs: DEFAULT_OCCURRENCE_RETENTION_MS }, services: [] },
    ],
    ['a service with only a name scrapes /errors every 10s', 'services: [{name: a}]', { services: [service('a')] }],
    ['an empty scraper block means every default', 'services: [{name: a, scraper: }]', { services: [service('a')] }],
    [
      'the timeout defaults to the refresh interval when shorter than 30s',
      'services: [{name: a, scraper: {refresh_interval: 5s}}]',
      { services: [service('a', { scraper: { ...DEFAULT_SCRAPER, refreshIntervalMs: 5_000, timeoutMs: 5_000 } })] },
    ],
    [
      'the timeout defaults to 30s when the refresh interval is longer',
      'services: [{name: a, scraper: {refresh_interval: 2m}}]',
      { services: [service('a', { scraper: { ...DEFAULT_SCRAPER, refreshIntervalMs: 120_000, timeoutMs: 30_000 } })] },
    ],
    [
      'an explicit timeout may exceed the refresh interval',
      'services: [{name: a, scraper: {refresh_interval: 5s, timeout: 1m}}]',
      { services: [service('a', { scraper: { ...DEFAULT_SCRAPER, refreshIntervalMs: 5_000, timeoutMs: 60_000 } })] },
    ],
    [
      'body_limit as a plain number of bytes',
      'services: [{name: a, scraper: {body_limit: 1048576}}]',
      { services: [service('a', { scraper: { ...DEFAULT_SCRAPER, bodyLimitBytes: 1_048_576 } })] },
    ],
    [
      'empty discovery lists add no fields',
      'services: [{name: a, consul_sd_configs: [], kubernetes_sd_configs: []}]',
      { services: [service('a')] },
    ],
    [
      'breakdown_labels and push are accepted beside the Go keys',
      'services: [{name: a, breakdown_labels: [env, region], push: {token: t0k3n}}]',
      { services: [service('a', { breakdownLabels: ['env', 'region'], push: { token: 't0k3n' } })] },
    ],
    [
      'unquoted label values become strings, as the Go decoder made them',
      'services: [{name: a, static_configs: [{targets: ["[::1]:7777", db], labels: {shard: 1, canary: true, since: 2024-01-01}}]}]',
      {
        services: [
          service('a', {
            staticConfigs: [{ targets: ['[::1]:7777', 'db'], labels: { shard: '1', canary: 'true', since: '2024-01-01' } }],
          }),
        ],
      },
    ],
    ['a repository without type is memory', 'repository: {}\nservices: []', { repository: { type: 'memory' } }],
    ['sqlite defaults its path', 'repository: {type: sqlite}\nservices: []', { repository: { type: 'sqlite', path: 'data/periskop.sqlite' } }],
    [
      'sqlite paths stay relative, normalised',
      'repository: {type: sqlite, path: ./db//periskop.sqlite}\nservices: []',
      { repository: { type: 'sqlite', path: 'db/periskop.sqlite' } },
    ],
    [
      'the Go server ignored path with memory, so it is accepted',
      'repository: {type: memory, path: errors.db}\nservices: []',
      { repository: { type: 'memory' } },
    ],
    [
      'postgresql is postgres',
      'repository: {type: postgresql, dsn: "postgres://u:p@db/periskop"}\nservices: []',
      {
        repository: {
          type: 'postgres',
          dsn: 'postgres://u:p@db/periskop',
          connection: { host: 'db', user: 'u', password: 'p', dbName: 'periskop', params: {} },
        },
      },
    ],
    [
      'mysql keeps its Go-style DSN as written',
      'repository: {type: mysql, dsn: "u:p@tcp(db:3306)/periskop?parseTime=true"}\nservices: []',
      {
        repository: {
          type: 'mysql',
          dsn: 'u:p@tcp(db:3306)/periskop?parseTime=true',
          connection: { host: 'db', port: 3306, user: 'u', password: 'p', dbName: 'periskop', params: { parseTime: 'true' } },
        },
      },
    ],
    [
      'postgres reads the libpq key=value DSN of a Go server config',
      "repository: {type: postgres, dsn: \"host=db port=5433 user=periskop password='s3 cr@t' dbname=errors sslmode=disable TimeZone=UTC\"}\nservices: []",
      {
        repository: {
          type: 'postgres',
          dsn: "host=db port=5433 user=periskop password='s3 cr@t' dbname=errors sslmode=disable TimeZone=UTC",
          connection: { host: 'db', port: 5433, user: 'periskop', password: 's3 cr@t', dbName: 'errors', params: { sslmode: 'disable', TimeZone: 'UTC' } },
        },
      },
    ],
    [
      'mysql reads a go-sql-driver DSN whose password holds @ : /',
      'repository: {type: mariadb, dsn: "periskop:p@ss:w/rd@tcp(db:3306)/errors?charset=utf8mb4&parseTime=True&loc=Local"}\nservices: []',
      {
        repository: {
          type: 'mysql',
          dsn: 'periskop:p@ss:w/rd@tcp(db:3306)/errors?charset=utf8mb4&parseTime=True&loc=Local',
          connection: {
            host: 'db',
            port: 3306,
            user: 'periskop',
            password: 'p@ss:w/rd',
            dbName: 'errors',
            params: { charset: 'utf8mb4', parseTime: 'True', loc: 'Local' },
          },
        },
      },
    ],
    [
      'events without a type are embedded',
      'events: {path: ./var/events/}\nservices: []',
      { events: { type: 'embedded', path: 'var/events' } },
    ],
    [
      'jetstream defaults: stream PERISKOP, 1 replica, unlimited age and size, prefix periskop',
      'events: {type: jetstream, url: "nats://localhost:4222"}\nservices: []',
      {
        events: {
          type: 'jetstream',
          url: 'nats://localhost:4222',
          stream: 'PERISKOP',
          replicas: 1,
          maxAgeMs: 0,
          maxBytes: -1,
          subjectPrefix: 'periskop',
        },
      },
    ],
    [
      'server.metrics_breakdown_label names a target label',
      'server: {metrics_breakdown_label: version}\nservices: []',
      { server: { port: 8080, metricsKeysPerService: 1000, metricsBreakdownLabel: 'version', occurrenceRetentionMs: DEFAULT_OCCURRENCE_RETENTION_MS } },
    ],
    [
      'server.occurrence_retention sets how long occurrence buckets are kept',
      'server: {occurrence_retention: {minutes: 6h, hours: 1y}}\nservices: []',
      {
        server: { port: 8080, metricsKeysPerService: 1000, metricsBreakdownLabel: null, occurrenceRetentionMs: { '1m': 6 * 3_600_000, '1h': 365 * 86_400_000 } },
      },
    ],
    [
      'snapshot keys beside either log type',
      'events: {type: jetstream, url: "nats://a:4222", snapshot_every: 0, snapshots_kept: 1}\nservices: []',
      { events: { type: 'jetstream', snapshots: { every: 0, kept: 1 } } },
    ],
    ['snapshots by default every 100,000 events, 3 kept', 'events: {path: x}\nservices: []', { events: { snapshots: { every: 100_000, kept: 3 } } }],
    ['an empty server block means port 8080', 'server:\nservices: []', { server: { port: 8080, metricsKeysPerService: 1000, metricsBreakdownLabel: null, occurrenceRetentionMs: DEFAULT_OCCURRENCE_RETENTION_MS } }],
  ])('%s', (_behaviour, text, expected) => {
    expect(parse(text)).toMatchObject(expected);
  });

  it('keeps the absolute path of the file', () => {
    expect(parse('services: []').file).toBe(path.resolve('test.yaml'));
  });
});

describe('parseConfigText errors', () => {
  // [behaviour, YAML, key path, what is wrong]
  it.each<[string, string, string, string]>([
    [
      'an unknown top-level key',
      'servics: []',
      'servics',
      'unknown key (allowed: repository, services, events, server, cluster)',
    ],
    ['a missing services list', 'server: {port: 8080}', 'services', 'required: the list of services to scrape (may be empty: `services: []`)'],
    ['an empty file', '', 'services', 'required: the list of services to scrape (may be empty: `services: []`)'],
    ['services that are not a list', 'services: {name: a}', 'services', 'expected a list, got a mapping'],
    ['a service that is not a mapping', 'services: [a]', 'services[0]', 'expected a mapping, got string "a"'],
    [
      'a misspelled service key',
      'services: [{name: a}, {name: b, scrapper: {}}]',
      'services[1].scrapper',
      'unknown key (allowed: name, static_configs, dns_sd_configs, file_sd_configs, http_sd_configs, kubernetes_sd_configs, consul_sd_configs, relabel_configs, scraper, breakdown_labels, push, drop_request_bodies)',
    ],
    ['a service without a name', 'services: [{scraper: {}}]', 'services[0].name', 'required: the service name'],
    ['an empty service name', 'services: [{name: " "}]', 'services[0].name', 'must not be empty'],
    ['a service name that is not a string', 'services: [{name: 42}]', 'services[0].name', 'expected a string, got number 42'],
    [
      'duplicate service names',
      'services: [{name: api}, {name: web}, {name: api}]',
      'services[2].name',
      'duplicate service name "api", already used by services[0]',
    ],
    [
      'a Prometheus discovery mechanism Periskop does not support',
      'services: [{name: a, ec2_sd_configs: [{region: eu-west-1}]}]',
      'services[0].ec2_sd_configs',
      'not supported: ec2_sd_configs (supported: static_configs, dns_sd_configs, file_sd_configs, http_sd_configs, kubernetes_sd_configs, consul_sd_configs)',
    ],
    ['a discovery block that is not a list', 'services: [{name: a, dns_sd_configs: {names: [x]}}]', 'services[0].dns_sd_configs', 'expected a list, got a mapping'],
    [
      'a misspelled static_configs key',
      'services: [{name: a, static_configs: [{target: [x:1]}]}]',
      'services[0].static_configs[0].target',
      'unknown key (allowed: targets, labels)',
    ],
    [
      'a target with a space',
      'services: [{name: a, static_configs: [{targets: ["local host:80"]}]}]',
      'services[0].static_configs[0].targets[0]',
      '"local host:80" is not a target (expected host:port such as "localhost:7777" or an http(s) URL)',
    ],
    [
      'a target port out of range',
      'services: [{name: a, static_configs: [{targets: [ok:1, "localhost:70000"]}]}]',
      'services[0].static_configs[0].targets[1]',
      '"localhost:70000" has port 70000, outside 1..65535',
    ],
    [
      'a target URL that is not http(s)',
      'services: [{name: a, static_configs: [{targets: ["ftp://host/errors"]}]}]',
      'services[0].static_configs[0].targets[0]',
      '"ftp://host/errors" is not a target (expected host:port such as "localhost:7777" or an http(s) URL)',
    ],
    [
      'an invalid label name',
      'services: [{name: a, static_configs: [{labels: {team.name: x}}]}]',
      'services[0].static_configs[0].labels["team.name"]',
      '"team.name" is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)',
    ],
    [
      'a label value that is a list',
      'services: [{name: a, static_configs: [{labels: {env: [a]}}]}]',
      'services[0].static_configs[0].labels.env',
      'expected a string, got a list',
    ],
    [
      'a refresh interval that is not a duration',
      'services: [{name: a}, {name: b, scraper: {refresh_interval: 10x}}]',
      'services[1].scraper.refresh_interval',
      '"10x" is not a duration (examples: 10s, 1m30s, 500ms)',
    ],
    [
      'a refresh interval written as a number',
      'services: [{name: a, scraper: {refresh_interval: 10}}]',
      'services[0].scraper.refresh_interval',
      'expected a duration string, got number 10; write it with a unit, e.g. "10s"',
    ],
    ['a zero refresh interval', 'services: [{name: a, scraper: {refresh_interval: 0s}}]', 'services[0].scraper.refresh_interval', 'must be greater than 0'],
    ['a negative timeout', 'services: [{name: a, scraper: {timeout: -1s}}]', 'services[0].scraper.timeout', '"-1s" is not a duration: it must not be negative'],
    [
      'an endpoint without a leading slash',
      'services: [{name: a, scraper: {endpoint: errors}}]',
      'services[0].scraper.endpoint',
      '"errors" must start with "/" (e.g. "/errors")',
    ],
    [
      'a body limit that is not a size',
      'services: [{name: a, scraper: {body_limit: lots}}]',
      'services[0].scraper.body_limit',
      '"lots" is not a size (examples: 16MiB, 512KiB, 1MB, 1048576)',
    ],
    ['a zero body limit', 'services: [{name: a, scraper: {body_limit: 0}}]', 'services[0].scraper.body_limit', 'must be greater than 0'],
    [
      'a misspelled scraper key',
      'services: [{name: a, scraper: {interval: 10s}}]',
      'services[0].scraper.interval',
      'unknown key (allowed: endpoint, refresh_interval, timeout, body_limit)',
    ],
    ['breakdown_labels that are not a list', 'services: [{name: a, breakdown_labels: env}]', 'services[0].breakdown_labels', 'expected a list, got string "env"'],
    [
      'a breakdown label that is not a label name',
      'services: [{name: a, breakdown_labels: [env, 1x]}]',
      'services[0].breakdown_labels[1]',
      '"1x" is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)',
    ],
    [
      'a breakdown label no target keeps',
      'services: [{name: a, breakdown_labels: [__address__]}]',
      'services[0].breakdown_labels[0]',
      '"__address__" starts with __: such labels are dropped after relabeling, no target keeps one',
    ],
    ['push without a token', 'services: [{name: a, push: {}}]', 'services[0].push.token', 'required: the token push clients send'],
    ['a misspelled push key', 'services: [{name: a, push: {tokens: x}}]', 'services[0].push.tokens', 'unknown key (allowed: token)'],
    [
      'an unknown repository type',
      'repository: {type: sqllite}\nservices: []',
      'repository.type',
      '"sqllite" is not a repository type (allowed: memory, sqlite, postgres, mysql)',
    ],
    [
      'postgres without a dsn',
      'repository: {type: postgres}\nservices: []',
      'repository.dsn',
      'required with type postgres (e.g. "postgres://user:pass@host:5432/periskop" or "host=db user=periskop dbname=periskop")',
    ],
    ['a sqlite path that is not a string', 'repository: {type: sqlite, path: [a]}\nservices: []', 'repository.path', 'expected a string, got a list'],
    [
      'a DSN of another database, without showing the password',
      'repository: {type: postgres, dsn: "mysql://u:secret@db/periskop"}\nservices: []',
      'repository.dsn',
      'a mysql:// URL does not fit repository type postgres (use postgres:// or postgresql://)',
    ],
    [
      'a libpq DSN with an unquoted password holding a space, without showing the password',
      'repository: {type: postgres, dsn: "host=db user=u password=hunter2 hunter3 dbname=d"}\nservices: []',
      'repository.dsn',
      "expected key=value after the value of password (quote a value that holds spaces: key='a b')",
    ],
    [
      'a go-sql-driver DSN without a database',
      'repository: {type: mysql, dsn: "u:hunter2@tcp(db:3306)/"}\nservices: []',
      'repository.dsn',
      'dbname is missing (the name after the "/", e.g. user:pass@tcp(db:3306)/periskop)',
    ],
    [
      'a go-sql-driver DSN with an unsupported network',
      'repository: {type: mysql, dsn: "u:hunter2@udp(db:3306)/d"}\nservices: []',
      'repository.dsn',
      'network "udp" is not supported (use tcp(host:port) or unix(/socket/path))',
    ],
    ['a misspelled repository key', 'repository: {type: mysql, url: x}\nservices: []', 'repository.url', 'unknown key (allowed: type, path, dsn)'],
    ['an unknown event log type', 'events: {type: kafka}\nservices: []', 'events.type', '"kafka" is not an event log type (allowed: embedded, jetstream)'],
    [
      'a jetstream key on the embedded log',
      'events: {type: embedded, url: "nats://x"}\nservices: []',
      'events.url',
      'unknown key (allowed with type embedded: type, path, snapshot_every, snapshots_kept)',
    ],
    ['jetstream without a url', 'events: {type: jetstream}\nservices: []', 'events.url', 'required with type jetstream (e.g. "nats://localhost:4222")'],
    [
      'a jetstream url that is not nats:// or tls://',
      'events: {type: jetstream, url: "nats://a:4222,http://b:4222"}\nservices: []',
      'events.url',
      '"http://b:4222" is not a NATS server URL (expected e.g. "nats://host:4222" or "tls://host:4222", several separated by commas)',
    ],
    [
      'a stream name with a dot',
      'events: {type: jetstream, url: "nats://a", stream: a.b}\nservices: []',
      'events.stream',
      '"a.b" is not a stream name (letters, digits, _ and - only)',
    ],
    ['a negative snapshot interval', 'events: {snapshot_every: -1}\nservices: []', 'events.snapshot_every', '-1 is out of range (0..1000000000)'],
    ['no snapshot kept', 'events: {snapshots_kept: 0}\nservices: []', 'events.snapshots_kept', '0 is out of range (1..1000)'],
    ['too many replicas', 'events: {type: jetstream, url: "nats://a", replicas: 7}\nservices: []', 'events.replicas', '7 is out of range (1..5)'],
    ['replicas as a string', 'events: {type: jetstream, url: "nats://a", replicas: "3"}\nservices: []', 'events.replicas', 'expected an integer, got string "3"'],
    [
      'max_age written as a number',
      'events: {type: jetstream, url: "nats://a", max_age: 3600}\nservices: []',
      'events.max_age',
      'expected a duration string, got number 3600; write it with a unit, e.g. "10s"',
    ],
    [
      'a negative max_bytes other than -1',
      'events: {type: jetstream, url: "nats://a", max_bytes: -5}\nservices: []',
      'events.max_bytes',
      'must be -1 (unlimited) or a positive size such as "10GiB"',
    ],
    [
      'a subject prefix of several tokens',
      'events: {type: jetstream, url: "nats://a", subject_prefix: acme.periskop}\nservices: []',
      'events.subject_prefix',
      '"acme.periskop" is not a single NATS subject token (no dots, spaces, * or >, not starting with $)',
    ],
    ['a port out of range', 'server: {port: 70000}\nservices: []', 'server.port', '70000 is out of range (1..65535)'],
    ['a port as a string', 'server: {port: "8080"}\nservices: []', 'server.port', 'expected an integer, got string "8080"'],
    [
      'a metrics breakdown label that shadows a metric label',
      'server: {metrics_breakdown_label: severity}\nservices: []',
      'server.metrics_breakdown_label',
      '"severity" is already a label of periskop_error_occurrences',
    ],
    ['a zero retention', 'server: {occurrence_retention: {hours: 0s}}\nservices: []', 'server.occurrence_retention.hours', 'must be longer than 0s'],
    ['a misspelled server key', 'server: {host: x}\nservices: []', 'server.host', 'unknown key (allowed: port, metrics_keys_per_service, metrics_breakdown_label, occurrence_retention, auth, cors, redact_headers, limits)'],
  ])('refuses %s', (_behaviour, text, keyPath, problem) => {
    const error = configErrorFrom(() => parseConfigText(text, 'test.yaml'));
    expect(error.message).toBe(`test.yaml: ${keyPath}: ${problem}`);
    expect(error).toMatchObject({ file: 'test.yaml', path: keyPath, problem });
  });

  it('refuses a document that is not a mapping, naming the file', () => {
    expect(configErrorFrom(() => parseConfigText('- a\n- b', 'test.yaml')).message).toBe(
      'test.yaml: expected a mapping, got a list',
    );
  });

  it('refuses a key given twice, naming the line', () => {
    const error = configErrorFrom(() => parseConfigText('services:\n  - name: a\n    name: b\n', 'test.yaml'));
    expect(error.message).toBe('test.yaml: line 3, column 5: YAML syntax error: duplicated mapping key');
    expect(error.line).toBe(3);
  });
});

describe('service discovery and relabeling config', () => {
  const parseService = (yaml: string): ServiceConfig =>
    parseConfigText(`services:\n- name: a\n${yaml.replace(/^/gm, '  ')}`, 'test.yaml').services[0]!;

  it('file_sd_configs: files as written, refresh_interval 5m by default', () => {
    expect(parseService('file_sd_configs: [{files: [targets/*.json, /etc/sd/b.yml]}, {files: [c.yaml], refresh_interval: 30s}]').fileSdConfigs).toEqual([
      { files: ['targets/*.json', '/etc/sd/b.yml'], refreshIntervalMs: 300_000 },
      { files: ['c.yaml'], refreshIntervalMs: 30_000 },
    ]);
  });

  it('http_sd_configs: refresh_interval 60s by default, and each way to authenticate', () => {
    const configs = parseService(`http_sd_configs:
      - {url: "http://sd:8080/targets"}
      - {url: "https://sd/t", refresh_interval: 15s, basic_auth: {username: u, password_file: /run/pw}, follow_redirects: false,
         tls_config: {ca_file: /ca.pem, server_name: sd.internal, insecure_skip_verify: false, min_version: TLS12}}
      - {url: "http://sd/t", authorization: {credentials: abc}}
      - {url: "http://sd/t", authorization: {type: Token, credentials_file: /run/token}}
      - {url: "http://sd/t", bearer_token: abc}
      - {url: "http://sd/t", bearer_token_file: /run/token}`).httpSdConfigs;
    expect(configs).toEqual([
      { url: 'http://sd:8080/targets', refreshIntervalMs: 60_000, followRedirects: true },
      {
        url: 'https://sd/t',
        refreshIntervalMs: 15_000,
        followRedirects: false,
        auth: { type: 'basic', username: 'u', passwordFile: '/run/pw' },
        tls: { caFile: '/ca.pem', serverName: 'sd.internal', insecureSkipVerify: false, minVersion: 'TLSv1.2' },
      },
      { url: 'http://sd/t', refreshIntervalMs: 60_000, followRedirects: true, auth: { type: 'authorization', scheme: 'Bearer', credentials: 'abc' } },
      { url: 'http://sd/t', refreshIntervalMs: 60_000, followRedirects: true, auth: { type: 'authorization', scheme: 'Token', credentialsFile: '/run/token' } },
      { url: 'http://sd/t', refreshIntervalMs: 60_000, followRedirects: true, auth: { type: 'authorization', scheme: 'Bearer', credentials: 'abc' } },
      { url: 'http://sd/t', refreshIntervalMs: 60_000, followRedirects: true, auth: { type: 'authorization', scheme: 'Bearer', credentialsFile: '/run/token' } },
    ]);
  });

  it('dns_sd_configs: type SRV and refresh_interval 30s by default, as in Prometheus; the type in any case', () => {
    expect(parseService('dns_sd_configs: [{names: [_errors._tcp.shop]}, {names: [a, b], type: aaaa, port: 7777, refresh_interval: 1m}]').dnsSdConfigs).toEqual([
      { names: ['_errors._tcp.shop'], type: 'SRV', port: 0, refreshIntervalMs: 30_000 },
      { names: ['a', 'b'], type: 'AAAA', port: 7777, refreshIntervalMs: 60_000 },
    ]);
  });

  it('kubernetes_sd_configs: in-cluster by default, every namespace, Prometheus keys as written', () => {
    expect(
      parseService(`kubernetes_sd_configs:
      - {role: pod}
      - role: endpointslice
        api_server: https://k8s.internal:6443
        bearer_token_file: /run/secrets/k8s-token
        tls_config: {ca_file: /etc/k8s/ca.pem}
        namespaces: {names: [shop, staging]}
        selectors: [{role: pod, label: "app=checkout"}, {role: endpointslice, field: "metadata.name!=x"}]
        attach_metadata: {node: true}
      - {role: service, kubeconfig_file: /etc/k8s/kubeconfig, enable_http2: true, follow_redirects: true}
      - {role: node, namespaces: {own_namespace: true}}`).kubernetesSdConfigs,
    ).toEqual([
      { role: 'pod', namespaces: { ownNamespace: false, names: [] }, selectors: [], attachMetadata: { node: false, namespace: false } },
      {
        role: 'endpointslice',
        apiServer: 'https://k8s.internal:6443',
        namespaces: { ownNamespace: false, names: ['shop', 'staging'] },
        selectors: [
          { role: 'pod', label: 'app=checkout' },
          { role: 'endpointslice', field: 'metadata.name!=x' },
        ],
        attachMetadata: { node: true, namespace: false },
        auth: { type: 'authorization', scheme: 'Bearer', credentialsFile: '/run/secrets/k8s-token' },
        tls: { caFile: '/etc/k8s/ca.pem', insecureSkipVerify: false },
      },
      { role: 'service', kubeconfigFile: '/etc/k8s/kubeconfig', namespaces: { ownNamespace: false, names: [] }, selectors: [], attachMetadata: { node: false, namespace: false } },
      { role: 'node', namespaces: { ownNamespace: true, names: [] }, selectors: [], attachMetadata: { node: false, namespace: false } },
    ]);
  });

  it('consul_sd_configs: Prometheus defaults (localhost:8500, http, tag separator ",", stale reads, 30s), every key', () => {
    const [defaults, full, legacy] = parseService(`consul_sd_configs:
      - {}
      - server: https://consul.internal:8501
        path_prefix: /consul
        token: t0k3n
        datacenter: eu-1
        namespace: team-a
        partition: part-1
        services: [checkout, payments]
        tags: [errors]
        node_meta: {rack: r1}
        tag_separator: "|"
        allow_stale: false
        refresh_interval: 1m
        tls_config: {insecure_skip_verify: true}
      - {server: "consul:8500", scheme: https, username: u, password: p}`).consulSdConfigs!;
    expect(defaults).toEqual({
      server: 'localhost:8500',
      scheme: 'http',
      pathPrefix: '',
      datacenter: '',
      namespace: '',
      partition: '',
      services: [],
      tags: [],
      nodeMeta: {},
      tagSeparator: ',',
      allowStale: true,
      refreshIntervalMs: 30_000,
    });
    expect(full).toEqual({
      server: 'consul.internal:8501', // the scheme written in the address wins, as in Consul's client
      scheme: 'https',
      pathPrefix: '/consul',
      token: 't0k3n',
      datacenter: 'eu-1',
      namespace: 'team-a',
      partition: 'part-1',
      services: ['checkout', 'payments'],
      tags: ['errors'],
      nodeMeta: { rack: 'r1' },
      tagSeparator: '|',
      allowStale: false,
      refreshIntervalMs: 60_000,
      tls: { insecureSkipVerify: true },
    });
    expect(legacy).toMatchObject({ server: 'consul:8500', scheme: 'https', auth: { type: 'basic', username: 'u', password: 'p' } });
  });

  it('relabel_configs: Prometheus defaults, the action in any case, the regex anchored', () => {
    const [first, second] = parseService(`relabel_configs:
      - {source_labels: [__address__], target_label: instance}
      - {source_labels: [a, b], separator: "", regex: "(?P<x>.+)", action: HashMod, modulus: 8, target_label: shard}`).relabelConfigs!;
    expect(first).toEqual({ action: 'replace', sourceLabels: ['__address__'], separator: ';', regex: /^(?:(.*))$/su, modulus: 0, targetLabel: 'instance', replacement: '$1' });
    expect(second).toEqual({ action: 'hashmod', sourceLabels: ['a', 'b'], separator: '', regex: /^(?:(?<x>.+))$/su, modulus: 8, targetLabel: 'shard', replacement: '$1' });
  });

  it('a service without discovery blocks has none of the optional fields', () => {
    expect(Object.keys(parseService('static_configs: []')).sort()).toEqual(['name', 'scraper', 'staticConfigs']);
  });

  // [behaviour, service YAML, key path under services[0], what is wrong]
  it.each<[string, string, string, string]>([
    ['a relabel action Prometheus does not have', 'relabel_configs: [{action: rename}]', 'relabel_configs[0].action', 'unknown relabel action "rename" (one of: replace, keep, drop, keepequal, dropequal, hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase)'],
    ['a regex that does not compile', 'relabel_configs: [{action: keep, source_labels: [a], regex: "(a"}]', 'relabel_configs[0].regex', 'invalid regex "(a": Unterminated group'],
    ['a regex with RE2-foreign syntax', 'relabel_configs: [{action: drop, regex: "(a)\\\\1"}]', 'relabel_configs[0].regex', 'invalid regex "(a)\\\\1": backreferences such as \\1 are not RE2 syntax'],
    ['hashmod without modulus', 'relabel_configs: [{action: hashmod, source_labels: [a], target_label: b}]', 'relabel_configs[0].modulus', 'required: a non-zero modulus for action hashmod'],
    ['replace without target_label', 'relabel_configs: [{source_labels: [a]}]', 'relabel_configs[0].target_label', 'required for action replace'],
    ['lowercase without target_label', 'relabel_configs: [{action: lowercase, source_labels: [a]}]', 'relabel_configs[0].target_label', 'required for action lowercase'],
    ['replace into an invalid label name', 'relabel_configs: [{source_labels: [a], target_label: "-${1}"}]', 'relabel_configs[0].target_label', '"-${1}" is not a valid target_label for action replace'],
    ['uppercase into a templated label', 'relabel_configs: [{action: uppercase, source_labels: [a], target_label: "${1}"}]', 'relabel_configs[0].target_label', '"${1}" is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)'],
    ['a replacement with lowercase', 'relabel_configs: [{action: lowercase, source_labels: [a], target_label: b, replacement: x}]', 'relabel_configs[0].replacement', 'cannot be set for action lowercase'],
    ['labelmap into an invalid name', 'relabel_configs: [{action: labelmap, regex: "(.*)", replacement: "a-$1"}]', 'relabel_configs[0].replacement', '"a-$1" is not a valid replacement for action labelmap (a label name, with $1 or ${name} references)'],
    ['keepequal with a regex', 'relabel_configs: [{action: keepequal, source_labels: [a], target_label: b, regex: x}]', 'relabel_configs[0].regex', 'action keepequal takes only source_labels and target_label'],
    ['labeldrop with source_labels', 'relabel_configs: [{action: labeldrop, regex: x, source_labels: [a]}]', 'relabel_configs[0].source_labels', 'action labeldrop takes only regex'],
    ['an invalid source label', 'relabel_configs: [{action: keep, source_labels: [a.b]}]', 'relabel_configs[0].source_labels[0]', '"a.b" is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)'],
    ['a misspelled relabel key', 'relabel_configs: [{action: keep, source_label: [a]}]', 'relabel_configs[0].source_label', 'unknown key (allowed: source_labels, separator, regex, modulus, target_label, replacement, action)'],
    ['file_sd_configs without files', 'file_sd_configs: [{refresh_interval: 1m}]', 'file_sd_configs[0].files', 'required: the files to read targets from (globs such as targets/*.json are allowed)'],
    ['a file SD name Prometheus refuses', 'file_sd_configs: [{files: [targets/*/a.json]}]', 'file_sd_configs[0].files[0]', '"targets/*/a.json" is not valid for file discovery: a .json, .yml or .yaml file; "*" only in the file name'],
    ['a file SD file that is not JSON or YAML', 'file_sd_configs: [{files: [targets.txt]}]', 'file_sd_configs[0].files[0]', '"targets.txt" is not valid for file discovery: a .json, .yml or .yaml file; "*" only in the file name'],
    ['a file SD refresh_interval without unit', 'file_sd_configs: [{files: [a.json], refresh_interval: 30}]', 'file_sd_configs[0].refresh_interval', 'expected a duration string, got number 30; write it with a unit, e.g. "10s"'],
    ['http_sd_configs without url', 'http_sd_configs: [{refresh_interval: 1m}]', 'http_sd_configs[0].url', 'required: the URL that lists the targets'],
    ['an http SD URL that is not http(s)', 'http_sd_configs: [{url: "ftp://sd/targets"}]', 'http_sd_configs[0].url', 'URL scheme must be http or https, got "ftp://sd/targets"'],
    ['two ways to authenticate', 'http_sd_configs: [{url: "http://sd", bearer_token: a, basic_auth: {username: u}}]', 'http_sd_configs[0].bearer_token', 'only one of basic_auth, authorization, bearer_token and bearer_token_file may be set (found basic_auth and bearer_token)'],
    ['password and password_file', 'http_sd_configs: [{url: "http://sd", basic_auth: {username: u, password: p, password_file: f}}]', 'http_sd_configs[0].basic_auth.password_file', 'only one of password and password_file may be set'],
    ['authorization type Basic', 'http_sd_configs: [{url: "http://sd", authorization: {type: Basic, credentials: x}}]', 'http_sd_configs[0].authorization.type', 'cannot be Basic: use basic_auth instead'],
    ['an HTTP client option Periskop lacks', 'http_sd_configs: [{url: "http://sd", oauth2: {client_id: x}}]', 'http_sd_configs[0].oauth2', 'not supported by Periskop: oauth2'],
    ['a TLS option Periskop lacks', 'http_sd_configs: [{url: "https://sd", tls_config: {ca: "-----BEGIN"}}]', 'http_sd_configs[0].tls_config.ca', 'not supported by Periskop: ca (use ca_file, cert_file, key_file)'],
    ['dns_sd_configs without names', 'dns_sd_configs: [{type: SRV}]', 'dns_sd_configs[0].names', 'required: the DNS names to look up'],
    ['an empty names list', 'dns_sd_configs: [{names: []}]', 'dns_sd_configs[0].names', 'must list at least one DNS name'],
    ['an A lookup without port', 'dns_sd_configs: [{names: [web], type: A}]', 'dns_sd_configs[0].port', 'required for type A (only SRV records carry their port): the port to scrape, 1..65535'],
    ['a DNS record type Prometheus does not look up', 'dns_sd_configs: [{names: [web], type: TXT, port: 1}]', 'dns_sd_configs[0].type', 'invalid DNS-SD record type "TXT" (one of: SRV, A, AAAA, MX, NS)'],
    ['a misspelled dns_sd_configs key', 'dns_sd_configs: [{name: [web]}]', 'dns_sd_configs[0].name', 'unknown key (allowed: names, type, port, refresh_interval)'],
    ['kubernetes_sd_configs without role', 'kubernetes_sd_configs: [{api_server: "https://k8s"}]', 'kubernetes_sd_configs[0].role', 'required: the role to discover (one of: pod, service, endpoints, endpointslice, node, ingress)'],
    ['an unknown Kubernetes role', 'kubernetes_sd_configs: [{role: deployment}]', 'kubernetes_sd_configs[0].role', 'unknown Kubernetes SD role "deployment" (one of: pod, service, endpoints, endpointslice, node, ingress)'],
    ['api_server and kubeconfig_file', 'kubernetes_sd_configs: [{role: pod, api_server: "https://k8s", kubeconfig_file: /k}]', 'kubernetes_sd_configs[0].kubeconfig_file', 'cannot be used together with api_server'],
    ['an api_server that is not http(s)', 'kubernetes_sd_configs: [{role: pod, api_server: "k8s:6443"}]', 'kubernetes_sd_configs[0].api_server', 'URL scheme must be http or https, got "k8s:6443"'],
    ['HTTP client options without api_server', 'kubernetes_sd_configs: [{role: pod, bearer_token: x}]', 'kubernetes_sd_configs[0].bearer_token', 'a custom HTTP client configuration needs api_server (without it, the in-cluster service account is used)'],
    ['HTTP client options with kubeconfig_file', 'kubernetes_sd_configs: [{role: pod, kubeconfig_file: /k, tls_config: {ca_file: /ca}}]', 'kubernetes_sd_configs[0].tls_config', 'cannot be used together with kubeconfig_file (the kubeconfig file says how to connect)'],
    ['own_namespace outside the cluster', 'kubernetes_sd_configs: [{role: pod, api_server: "https://k8s", namespaces: {own_namespace: true}}]', 'kubernetes_sd_configs[0].namespaces.own_namespace', 'cannot be used together with api_server (the own namespace is the service account\'s, in a cluster)'],
    ['a selector for another role', 'kubernetes_sd_configs: [{role: pod, selectors: [{role: service, label: a=b}]}]', 'kubernetes_sd_configs[0].selectors[0].role', 'pod role supports only pod selectors'],
    ['two selectors for one role', 'kubernetes_sd_configs: [{role: endpoints, selectors: [{role: pod, label: a=b}, {role: pod, field: x=y}]}]', 'kubernetes_sd_configs[0].selectors[1].role', 'duplicated selector role: pod'],
    ['a misspelled kubernetes_sd_configs key', 'kubernetes_sd_configs: [{role: pod, namespace: {names: [a]}}]', 'kubernetes_sd_configs[0].namespace', 'unknown key (allowed: role, api_server, kubeconfig_file, namespaces, selectors, attach_metadata, basic_auth, authorization, bearer_token, bearer_token_file, tls_config, follow_redirects, enable_http2)'],
    ['an empty consul server', 'consul_sd_configs: [{server: " "}]', 'consul_sd_configs[0].server', 'must not be empty: the Consul server address (host:port)'],
    ['a consul server that is not host:port', 'consul_sd_configs: [{server: "consul 1:8500"}]', 'consul_sd_configs[0].server', '"consul 1:8500" is not a server address (host:port)'],
    ['a consul scheme other than http(s)', 'consul_sd_configs: [{scheme: tcp}]', 'consul_sd_configs[0].scheme', 'must be http or https, got "tcp"'],
    ['consul username with basic_auth', 'consul_sd_configs: [{username: u, basic_auth: {username: v}}]', 'consul_sd_configs[0].username', 'only one of username/password and basic_auth may be set'],
    ['consul token with authorization', 'consul_sd_configs: [{token: t, authorization: {credentials: c}}]', 'consul_sd_configs[0].token', 'only one of token and authorization may be set'],
    ['a consul refresh_interval of zero', 'consul_sd_configs: [{refresh_interval: 0s}]', 'consul_sd_configs[0].refresh_interval', 'must be positive'],
    ['consul tags that are not a list', 'consul_sd_configs: [{tags: errors}]', 'consul_sd_configs[0].tags', 'expected a list, got string "errors"'],
  ])('refuses %s', (_behaviour, yaml, keyPath, problem) => {
    const error = configErrorFrom(() => parseService(yaml));
    expect(error).toMatchObject({ file: 'test.yaml', path: `services[0].${keyPath}`, problem });
  });
});
