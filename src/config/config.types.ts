// The validated configuration. Only src/config reads YAML or the environment; everything
// else receives these objects.

/** A database server connection as a DSN describes it (src/config/dsn.ts parses them). */
export interface DatabaseConnection {
  host?: string;
  port?: number;
  /** Unix socket path, instead of host and port. */
  socketPath?: string;
  user?: string;
  password?: string;
  dbName: string;
  /** The DSN's other parameters as given (sslmode, charset, parseTime, …). */
  params: Record<string, string>;
}

export type RepositoryConfig =
  | { type: 'memory' }
  | { type: 'sqlite'; path: string }
  /** The Go server's DSN styles and URLs; `dsn` is kept for messages (password masked there). */
  | { type: 'postgres' | 'mysql'; dsn: string; connection: DatabaseConnection };

export type EventsConfig =
  | { type: 'embedded'; path: string }
  | {
      type: 'jetstream';
      url: string;
      stream: string;
      replicas: number;
      /** Milliseconds, 0 = unlimited. */
      maxAgeMs: number;
      /** Bytes, -1 = unlimited. */
      maxBytes: number;
      /** First token of every subject: `<subjectPrefix>.<type>.<service-token>`. Default `periskop`. */
      subjectPrefix: string;
    };

export interface StaticConfig {
  targets: string[];
  labels: Record<string, string>;
}

export interface ScraperConfig {
  endpoint: string;
  refreshIntervalMs: number;
  /** Default min(refresh interval, 30 s). */
  timeoutMs: number;
  /** Default 16 MiB. */
  bodyLimitBytes: number;
}

export interface ServiceConfig {
  name: string;
  staticConfigs: StaticConfig[];
  /** Discovery mechanisms present in the file but not implemented yet, e.g. `dns_sd_configs`. */
  unsupportedDiscovery: string[];
  scraper: ScraperConfig;
  /** Pushes to POST /push/<name>/errors must carry `Authorization: Bearer <token>`. */
  push?: { token: string };
}

export interface ServerConfig {
  port: number;
  /** Cap of periskop_error_occurrences series per service (cardinality guard). */
  metricsKeysPerService: number;
}

export interface PeriskopConfig {
  /** Absolute path of the file this came from, for messages. */
  file: string;
  repository: RepositoryConfig;
  events: EventsConfig;
  server: ServerConfig;
  services: ServiceConfig[];
}

export const PERISKOP_CONFIG = Symbol('PeriskopConfig');
