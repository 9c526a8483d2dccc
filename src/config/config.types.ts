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

/** Read-model snapshots (events.snapshot_every, events.snapshots_kept). */
export interface SnapshotConfig {
  /** Take one after this many events since the last; 0 = never. */
  every: number;
  /** How many to keep, newest first. */
  kept: number;
}

export type EventsConfig =
  | { type: 'embedded'; path: string; snapshots: SnapshotConfig }
  | {
      type: 'jetstream';
      snapshots: SnapshotConfig;
      url: string;
      stream: string;
      replicas: number;
      /** Milliseconds, 0 = unlimited. */
      maxAgeMs: number;
      /** Bytes, -1 = unlimited. */
      maxBytes: number;
      /** First token of every subject: `<subjectPrefix>.<type>.<service-token>`. Default `periskop`. */
      subjectPrefix: string;
      /** Stream partitions P (`events.partitions`); absent means 1, the subjects of old. */
      partitions?: number;
    };

/** `cluster`: replicas sharing the scrape work and the projection through leases. */
export interface ClusterConfig {
  enabled: boolean;
  /** A lease not renewed for this long is free again; renewed every third of it. */
  leaseTtlMs: number;
  /** Unique among the replicas; default hostname-pid. */
  replicaId: string;
}

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

/** Prometheus relabel actions (`action`, case-insensitive in the file, lower case here). */
export type RelabelAction =
  | 'replace'
  | 'keep'
  | 'drop'
  | 'keepequal'
  | 'dropequal'
  | 'hashmod'
  | 'labelmap'
  | 'labeldrop'
  | 'labelkeep'
  | 'lowercase'
  | 'uppercase';

/** One entry of `relabel_configs`, Prometheus defaults filled in. */
export interface RelabelConfig {
  action: RelabelAction;
  sourceLabels: string[];
  /** Default `;`. */
  separator: string;
  /** The RE2 regex translated to JavaScript and fully anchored: `^(?:regex)$`, dot matching newlines. */
  regex: RegExp;
  /** hashmod only; 0 when not set. */
  modulus: number;
  /** May hold `$1`/`${name}` references with action replace. */
  targetLabel: string;
  /** Default `$1`. */
  replacement: string;
}

/** One entry of `file_sd_configs`. */
export interface FileSdConfig {
  /** Paths as written (relative ones against the working directory); `*` allowed in the last element. */
  files: string[];
  /** Default 5m; the files are also watched, so this is only the fallback. */
  refreshIntervalMs: number;
}

/** How an HTTP client authenticates (Prometheus `basic_auth`, `authorization`, `bearer_token`). Files are read at each request. */
export type HttpAuthConfig =
  | { type: 'basic'; username?: string; usernameFile?: string; password?: string; passwordFile?: string }
  | { type: 'authorization'; scheme: string; credentials?: string; credentialsFile?: string };

/** Prometheus `tls_config` for an https URL; files are read at each request. */
export interface TlsConfig {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  serverName?: string;
  insecureSkipVerify: boolean;
  /** e.g. `TLSv1.2`. */
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
}

/** One entry of `http_sd_configs`. */
export interface HttpSdConfig {
  url: string;
  /** Default 60s. */
  refreshIntervalMs: number;
  auth?: HttpAuthConfig;
  tls?: TlsConfig;
  /** Default true. */
  followRedirects: boolean;
}

export type DnsRecordType = 'SRV' | 'A' | 'AAAA' | 'MX' | 'NS';

/** One entry of `dns_sd_configs`. */
export interface DnsSdConfig {
  names: string[];
  /** Default SRV, as in Prometheus. */
  type: DnsRecordType;
  /** Required for every type but SRV; 0 for SRV. */
  port: number;
  /** Default 30s. */
  refreshIntervalMs: number;
}

/** Prometheus Kubernetes SD roles: what is discovered, and which objects are watched for it. */
export type KubernetesRole = 'pod' | 'service' | 'endpoints' | 'endpointslice' | 'node' | 'ingress';

/** One entry of `selectors`: passed to the API server as labelSelector / fieldSelector when listing and watching `role`. */
export interface KubernetesSelector {
  role: KubernetesRole;
  label?: string;
  field?: string;
}

/** One entry of `kubernetes_sd_configs`. */
export interface KubernetesSdConfig {
  role: KubernetesRole;
  /** The API server URL; with neither it nor kubeconfigFile, the in-cluster service account is used. */
  apiServer?: string;
  kubeconfigFile?: string;
  /** No names and not ownNamespace: every namespace. */
  namespaces: { ownNamespace: boolean; names: string[] };
  /** At most one per role. */
  selectors: KubernetesSelector[];
  /** Adds the node's (`__meta_kubernetes_node_*`) or namespace's (`__meta_kubernetes_namespace_*`) labels and annotations. */
  attachMetadata: { node: boolean; namespace: boolean };
  /** Only with apiServer (as in Prometheus). */
  auth?: HttpAuthConfig;
  tls?: TlsConfig;
}

/** One entry of `consul_sd_configs`. */
export interface ConsulSdConfig {
  /** host:port of the Consul agent or server; default localhost:8500. */
  server: string;
  /** http (default) or https. */
  scheme: 'http' | 'https';
  /** Put before /v1/… in every URL, e.g. `/consul`; empty by default. */
  pathPrefix: string;
  /** Sent as X-Consul-Token. */
  token?: string;
  /** Empty: the agent's own datacenter (asked from /v1/agent/self). */
  datacenter: string;
  namespace: string;
  partition: string;
  /** Empty: every service of the catalog. */
  services: string[];
  /** An instance must carry all of them. */
  tags: string[];
  nodeMeta: Record<string, string>;
  /** Default `,`. */
  tagSeparator: string;
  /** Default true. */
  allowStale: boolean;
  /** Default 30s: blocking queries are answered at once on a change; a burst of changes is read at most once per interval. */
  refreshIntervalMs: number;
  auth?: HttpAuthConfig;
  tls?: TlsConfig;
}

export interface ServiceConfig {
  name: string;
  staticConfigs: StaticConfig[];
  /** Present only when the file has entries; see FileSdConfig, HttpSdConfig, DnsSdConfig, KubernetesSdConfig, ConsulSdConfig. */
  fileSdConfigs?: FileSdConfig[];
  httpSdConfigs?: HttpSdConfig[];
  dnsSdConfigs?: DnsSdConfig[];
  kubernetesSdConfigs?: KubernetesSdConfig[];
  consulSdConfigs?: ConsulSdConfig[];
  /** Applied to every discovered target, in order; present only when the file has entries. */
  relabelConfigs?: RelabelConfig[];
  scraper: ScraperConfig;
  /** Pushes to POST /push/<name>/errors must carry `Authorization: Bearer <token>`. */
  push?: { token: string };
  /** `drop_request_bodies: true`: occurrences are recorded without their http_context request_body. */
  dropRequestBodies?: boolean;
  /** Target labels whose values errors are counted by (`breakdown_labels`); present only when the file has entries. */
  breakdownLabels?: string[];
}

export interface ServerConfig {
  port: number;
  /** Cap of periskop_error_occurrences series per service (cardinality guard). */
  metricsKeysPerService: number;
  /**
   * A target label (one of a service's breakdown_labels) added to periskop_error_occurrences,
   * one series per value (`server.metrics_breakdown_label`); null (the default) keeps one series per error.
   */
  metricsBreakdownLabel: string | null;
  /** How long occurrences per minute ('1m', default 48 h) and per hour ('1h', default 90 days) are kept (`server.occurrence_retention`). */
  occurrenceRetentionMs: { '1m': number; '1h': number };
  /** Present when the file sets server.auth, cors, redact_headers or limits; else DEFAULT_HTTP_SECURITY applies. */
  security?: HttpSecurityConfig;
}

/** What a client sends to be let in: `Authorization: Bearer <token>` or `Authorization: Basic …`. */
export type Credential = { type: 'bearer'; token: string } | { type: 'basic'; username: string; password: string };

export interface HttpSecurityConfig {
  /** Accepted for reads (GET, HEAD: API, UI, metrics); empty: reads are open. Write credentials also read. */
  readAuth: Credential[];
  /** Accepted for writes (DELETE resolve, POST push, any other method); empty: the read rule applies. */
  writeAuth: Credential[];
  /** Origins allowed by CORS; `*` in one place matches anything there (`http://localhost:*`). */
  corsOrigins: string[];
  /** Lower-case header names whose values are replaced before anything is recorded. */
  redactHeaders: string[];
  limits: {
    /** Longest request target (path and query) accepted; 414 beyond. */
    urlBytes: number;
    /** Largest request head (all headers); 431 beyond. */
    headerBytes: number;
    /** Largest JSON body outside /push; 413 beyond. */
    jsonBodyBytes: number;
    /** Largest body of POST /push/…; 413 beyond. */
    pushBodyBytes: number;
  };
}

export interface PeriskopConfig {
  /** Absolute path of the file this came from, for messages. */
  file: string;
  repository: RepositoryConfig;
  events: EventsConfig;
  server: ServerConfig;
  services: ServiceConfig[];
  /** Absent: one process owns everything. */
  cluster?: ClusterConfig;
}

export const PERISKOP_CONFIG = Symbol('PeriskopConfig');
