import { join } from 'node:path';
import { loadConfig, type PeriskopConfig } from '../src/config/index.js';
import { DEPLOY_DIR, REPO_ROOT, repoFileExists, yamlDocument, yamlDocuments, yamlFilesUnder } from './support/deploy-files.js';

// deploy/docker-compose.yml checked as `docker compose config` would (no compose plugin here),
// and the files it mounts loaded by the programs that read them.

const COMPOSE_FILE = 'deploy/docker-compose.yml';
const compose = yamlDocument(COMPOSE_FILE);
const services: Record<string, any> = compose.services;

/** A compose path is relative to the compose file's directory; as a repository path. */
function fromDeploy(path: string): string {
  return join('deploy', path);
}

function bindMounts(service: any): Array<{ source: string; target: string }> {
  return (service.volumes ?? [])
    .map((volume: string) => volume.split(':'))
    .filter(([source]: string[]) => source!.startsWith('.') || source!.startsWith('/'))
    .map(([source, target]: string[]) => ({ source: source!, target: target! }));
}

describe('every YAML file under deploy/', () => {
  it.each(yamlFilesUnder(DEPLOY_DIR))('%s parses', (file) => {
    expect(yamlDocuments(file).length).toBeGreaterThan(0);
  });
});

describe(COMPOSE_FILE, () => {
  it('runs the whole stack, each service with a health check', () => {
    expect(Object.keys(services).sort()).toEqual(['alertmanager', 'demo-service', 'nats', 'periskop', 'postgres', 'prometheus']);
    for (const [name, service] of Object.entries(services)) {
      expect({ name, image: typeof service.image === 'string' || service.build !== undefined }).toEqual({ name, image: true });
      expect({ name, healthcheck: service.healthcheck?.test?.[0] }).toEqual({ name, healthcheck: 'CMD' });
    }
  });

  it('declares every named volume it mounts, and keeps NATS and PostgreSQL on volumes', () => {
    const named = Object.values(services).flatMap((service: any) =>
      (service.volumes ?? []).map((volume: string) => volume.split(':')[0]!).filter((source: string) => !/^[./]/.test(source)),
    );
    expect(named.sort()).toEqual(Object.keys(compose.volumes).sort());
    expect(services.nats.volumes.some((volume: string) => volume.endsWith(':/data'))).toBe(true);
    expect(services.nats.command).toContain('--jetstream');
    expect(services.nats.command.join(' ')).toContain('--store_dir /data');
    expect(services.postgres.volumes.some((volume: string) => volume.endsWith(':/var/lib/postgresql/data'))).toBe(true);
  });

  it('mounts and builds only files that exist', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const { source } of bindMounts(service)) {
        expect({ name, source, exists: repoFileExists(fromDeploy(source)) }).toEqual({ name, source, exists: true });
      }
      if (service.build) {
        const dockerfile = join(fromDeploy(service.build.context), service.build.dockerfile);
        expect({ name, dockerfile, exists: repoFileExists(dockerfile) }).toEqual({ name, dockerfile, exists: true });
      }
    }
  });

  it('starts services after what they depend on is healthy', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, condition] of Object.entries<any>(service.depends_on ?? {})) {
        expect({ name, dependency, known: dependency in services, condition: condition.condition }).toEqual({
          name,
          dependency,
          known: true,
          condition: 'service_healthy',
        });
      }
    }
    expect(Object.keys(services.periskop.depends_on).sort()).toEqual(['nats', 'postgres']);
  });

  describe('the Periskop config it mounts', () => {
    let config: PeriskopConfig;

    beforeAll(() => {
      const mount = bindMounts(services.periskop).find(({ target }) => target === '/etc/periskop/periskop.yaml')!;
      config = loadConfig(join(REPO_ROOT, fromDeploy(mount.source)), {});
    });

    it('loads with the real config loader and uses the stack: JetStream on nats, PostgreSQL on postgres', () => {
      expect(services.periskop.ports).toContain('8080:8080');
      expect(config.server.port).toBe(8080);
      expect(config.events).toMatchObject({ type: 'jetstream', url: 'nats://nats:4222' });
      const postgres = services.postgres.environment;
      expect(config.repository).toMatchObject({
        type: 'postgres',
        connection: { host: 'postgres', port: 5432, user: postgres.POSTGRES_USER, password: postgres.POSTGRES_PASSWORD, dbName: postgres.POSTGRES_DB },
      });
    });

    it('scrapes the demo service on the port it listens on', () => {
      const demo = config.services.find((service) => service.name === 'demo-service')!;
      expect(demo.dnsSdConfigs).toEqual([
        { names: ['demo-service'], type: 'A', port: Number(services['demo-service'].environment.PORT), refreshIntervalMs: 15_000 },
      ]);
    });
  });

  it('gives Prometheus the alert rules and Alertmanager, and Prometheus scrapes Periskop', () => {
    const mount = bindMounts(services.prometheus).find(({ target }) => target === '/etc/prometheus')!;
    const prometheus = yamlDocument(join(fromDeploy(mount.source), 'prometheus.yml'));
    for (const rules of prometheus.rule_files) expect(repoFileExists(join(fromDeploy(mount.source), rules))).toBe(true);
    expect(prometheus.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['alertmanager:9093']);
    expect(prometheus.scrape_configs[0].static_configs[0].targets).toEqual(['periskop:8080']);
    expect(services.alertmanager.ports).toContain('9093:9093');
    const alertmanager = bindMounts(services.alertmanager).find(({ target }) => target === '/etc/alertmanager/alertmanager.yml')!;
    expect(yamlDocument(fromDeploy(alertmanager.source)).route.receiver).toBe('demo');
  });
});
