// Prometheus service discovery blocks Periskop implements: file_sd_configs, http_sd_configs,
// dns_sd_configs, kubernetes_sd_configs, consul_sd_configs. Keys, defaults and refusals follow
// Prometheus, so a block pasted from a prometheus.yml loads unchanged.

import type {
  ConsulSdConfig,
  DnsRecordType,
  DnsSdConfig,
  FileSdConfig,
  HttpAuthConfig,
  HttpSdConfig,
  KubernetesRole,
  KubernetesSdConfig,
  KubernetesSelector,
  TlsConfig,
} from './config.types.js';
import { isPortNumber } from './port-number.js';
import type { YamlNode } from './yaml-node.js';

const FILE_SD_KEYS = ['files', 'refresh_interval'] as const;
// Prometheus: `*` only in the last path element, and a .json/.yml/.yaml name.
const FILE_SD_NAME = /^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$/;

const HTTP_CLIENT_KEYS = ['basic_auth', 'authorization', 'bearer_token', 'bearer_token_file', 'tls_config', 'follow_redirects', 'enable_http2'] as const;
// Valid Prometheus HTTP client options Periskop does not implement: refused by name.
const UNSUPPORTED_HTTP_CLIENT_KEYS = ['oauth2', 'proxy_url', 'no_proxy', 'proxy_from_environment', 'proxy_connect_header', 'http_headers'];
const HTTP_SD_KEYS = ['url', 'refresh_interval', ...HTTP_CLIENT_KEYS] as const;
const TLS_KEYS = ['ca_file', 'cert_file', 'key_file', 'server_name', 'insecure_skip_verify', 'min_version'] as const;
const UNSUPPORTED_TLS_KEYS = ['ca', 'cert', 'key', 'max_version', 'ca_ref', 'cert_ref', 'key_ref'];
const TLS_VERSIONS: Readonly<Record<string, TlsConfig['minVersion']>> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};

const DNS_SD_KEYS = ['names', 'type', 'port', 'refresh_interval'] as const;
const DNS_TYPES: readonly DnsRecordType[] = ['SRV', 'A', 'AAAA', 'MX', 'NS'];

const KUBERNETES_SD_KEYS = ['role', 'api_server', 'kubeconfig_file', 'namespaces', 'selectors', 'attach_metadata', ...HTTP_CLIENT_KEYS] as const;
const KUBERNETES_ROLES: readonly KubernetesRole[] = ['pod', 'service', 'endpoints', 'endpointslice', 'node', 'ingress'];
// Prometheus: the objects each role may filter (endpoints and endpointslice also watch pods and services).
const KUBERNETES_SELECTOR_ROLES: Readonly<Record<KubernetesRole, readonly KubernetesRole[]>> = {
  pod: ['pod'],
  service: ['service'],
  endpoints: ['pod', 'service', 'endpoints'],
  endpointslice: ['pod', 'service', 'endpointslice'],
  node: ['node'],
  ingress: ['ingress'],
};

const CONSUL_SD_KEYS = [
  'server',
  'path_prefix',
  'token',
  'datacenter',
  'namespace',
  'partition',
  'tag_separator',
  'scheme',
  'username',
  'password',
  'allow_stale',
  'refresh_interval',
  'services',
  'tags',
  'node_meta',
  ...HTTP_CLIENT_KEYS,
] as const;

export function parseFileSdConfig(node: YamlNode): FileSdConfig {
  node.rejectUnknownKeys(FILE_SD_KEYS);
  const filesNode = node.field('files');
  if (filesNode.isAbsent) throw filesNode.error('required: the files to read targets from (globs such as targets/*.json are allowed)');
  const files = filesNode.items().map((item) => {
    const file = item.nonEmptyString();
    if (!FILE_SD_NAME.test(file)) {
      throw item.error(`${JSON.stringify(file)} is not valid for file discovery: a .json, .yml or .yaml file; "*" only in the file name`);
    }
    return file;
  });
  if (files.length === 0) throw filesNode.error('must list at least one file');
  return { files, refreshIntervalMs: refreshInterval(node, 5 * 60_000) };
}

export function parseHttpSdConfig(node: YamlNode): HttpSdConfig {
  rejectUnsupported(node, UNSUPPORTED_HTTP_CLIENT_KEYS);
  node.rejectUnknownKeys(HTTP_SD_KEYS);
  const urlNode = node.field('url');
  if (urlNode.isAbsent) throw urlNode.error('required: the URL that lists the targets');
  const url = urlNode.nonEmptyString();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw urlNode.error(`${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw urlNode.error(`URL scheme must be http or https, got ${JSON.stringify(url)}`);
  if (parsed.hostname === '') throw urlNode.error(`host is missing in URL ${JSON.stringify(url)}`);
  const auth = parseHttpAuth(node);
  const tls = node.field('tls_config').optional(parseTlsConfig, undefined);
  node.field('enable_http2').optional((n) => boolean(n), true); // accepted; Node's client speaks HTTP/1.1
  return {
    url,
    refreshIntervalMs: refreshInterval(node, 60_000),
    ...(auth ? { auth } : {}),
    ...(tls ? { tls } : {}),
    followRedirects: node.field('follow_redirects').optional(boolean, true),
  };
}

export function parseDnsSdConfig(node: YamlNode): DnsSdConfig {
  node.rejectUnknownKeys(DNS_SD_KEYS);
  const namesNode = node.field('names');
  if (namesNode.isAbsent) throw namesNode.error('required: the DNS names to look up');
  const names = namesNode.items().map((n) => n.nonEmptyString().trim());
  if (names.length === 0) throw namesNode.error('must list at least one DNS name');
  const typeNode = node.field('type');
  const type = typeNode.optional((n) => {
    const text = n.string();
    const upper = text.toUpperCase() as DnsRecordType;
    if (!DNS_TYPES.includes(upper)) throw n.error(`invalid DNS-SD record type ${JSON.stringify(text)} (one of: ${DNS_TYPES.join(', ')})`);
    return upper;
  }, 'SRV');
  const portNode = node.field('port');
  const port = portNode.optional((n) => n.integer(0, 65535), 0);
  if (type !== 'SRV' && !isPortNumber(port)) {
    throw portNode.error(`required for type ${type} (only SRV records carry their port): the port to scrape, 1..65535`);
  }
  return { names, type, port: type === 'SRV' ? 0 : port, refreshIntervalMs: refreshInterval(node, 30_000) };
}

export function parseKubernetesSdConfig(node: YamlNode): KubernetesSdConfig {
  rejectUnsupported(node, UNSUPPORTED_HTTP_CLIENT_KEYS);
  node.rejectUnknownKeys(KUBERNETES_SD_KEYS);
  const roleNode = node.field('role');
  if (roleNode.isAbsent) throw roleNode.error(`required: the role to discover (one of: ${KUBERNETES_ROLES.join(', ')})`);
  const role = kubernetesRole(roleNode);
  const apiServerNode = node.field('api_server');
  const apiServer = apiServerNode.optional(httpUrl, undefined);
  const kubeconfigNode = node.field('kubeconfig_file');
  const kubeconfigFile = kubeconfigNode.optional((n) => n.nonEmptyString(), undefined);
  if (apiServer !== undefined && kubeconfigFile !== undefined) throw kubeconfigNode.error('cannot be used together with api_server');
  const auth = parseHttpAuth(node);
  const tls = node.field('tls_config').optional(parseTlsConfig, undefined);
  const followRedirects = node.field('follow_redirects').optional(boolean, true);
  const http2 = node.field('enable_http2').optional(boolean, true); // accepted; Node's client speaks HTTP/1.1
  // Prometheus: a custom HTTP client goes only with an explicit api_server.
  const custom = ['basic_auth', 'authorization', 'bearer_token', 'bearer_token_file', 'tls_config'].find(
    (key) => !node.field(key).isAbsent && !(key === 'tls_config' && node.field(key).keys().length === 0), // `tls_config: {}` is the default
  )
    ?? (!followRedirects ? 'follow_redirects' : !http2 ? 'enable_http2' : undefined);
  if (custom !== undefined && kubeconfigFile !== undefined) {
    throw node.field(custom).error('cannot be used together with kubeconfig_file (the kubeconfig file says how to connect)');
  }
  if (custom !== undefined && apiServer === undefined) {
    throw node.field(custom).error('a custom HTTP client configuration needs api_server (without it, the in-cluster service account is used)');
  }
  const namespacesNode = node.field('namespaces');
  const namespaces = namespacesNode.optional((n) => {
    n.rejectUnknownKeys(['own_namespace', 'names']);
    return {
      ownNamespace: n.field('own_namespace').optional(boolean, false),
      names: n.field('names').optional((names) => names.items().map((item) => item.nonEmptyString()), []),
    };
  }, { ownNamespace: false, names: [] });
  if (namespaces.ownNamespace && (apiServer !== undefined || kubeconfigFile !== undefined)) {
    throw namespacesNode.field('own_namespace').error(`cannot be used together with ${apiServer !== undefined ? 'api_server' : 'kubeconfig_file'} (the own namespace is the service account's, in a cluster)`);
  }
  const selectors = node.field('selectors').optional((n) => parseKubernetesSelectors(n, role), []);
  const attachMetadata = node.field('attach_metadata').optional((n) => {
    n.rejectUnknownKeys(['node', 'namespace']);
    return { node: n.field('node').optional(boolean, false), namespace: n.field('namespace').optional(boolean, false) };
  }, { node: false, namespace: false });
  return {
    role,
    ...defined({ apiServer, kubeconfigFile }),
    namespaces,
    selectors,
    attachMetadata,
    ...(auth ? { auth } : {}),
    ...(tls ? { tls } : {}),
  };
}

function kubernetesRole(node: YamlNode): KubernetesRole {
  const text = node.string();
  if (!KUBERNETES_ROLES.includes(text as KubernetesRole)) {
    throw node.error(`unknown Kubernetes SD role ${JSON.stringify(text)} (one of: ${KUBERNETES_ROLES.join(', ')})`);
  }
  return text as KubernetesRole;
}

function parseKubernetesSelectors(node: YamlNode, role: KubernetesRole): KubernetesSelector[] {
  const seen = new Set<KubernetesRole>();
  return node.items().map((item) => {
    item.rejectUnknownKeys(['role', 'label', 'field']);
    const selectorRoleNode = item.field('role');
    if (selectorRoleNode.isAbsent) throw selectorRoleNode.error(`required: the role whose objects the selector filters (${KUBERNETES_SELECTOR_ROLES[role].join(', ')})`);
    const selectorRole = kubernetesRole(selectorRoleNode);
    if (seen.has(selectorRole)) throw selectorRoleNode.error(`duplicated selector role: ${selectorRole}`);
    seen.add(selectorRole);
    if (!KUBERNETES_SELECTOR_ROLES[role].includes(selectorRole)) {
      throw selectorRoleNode.error(`${role} role supports only ${KUBERNETES_SELECTOR_ROLES[role].join(', ')} selectors`);
    }
    return { role: selectorRole, ...defined({ label: optionalString(item.field('label')), field: optionalString(item.field('field')) }) };
  });
}

export function parseConsulSdConfig(node: YamlNode): ConsulSdConfig {
  rejectUnsupported(node, UNSUPPORTED_HTTP_CLIENT_KEYS);
  node.rejectUnknownKeys(CONSUL_SD_KEYS);
  const serverNode = node.field('server');
  const server = serverNode.optional((n) => n.string().trim(), 'localhost:8500');
  if (server === '') throw serverNode.error('must not be empty: the Consul server address (host:port)');
  const schemeNode = node.field('scheme');
  let scheme = schemeNode.optional((n) => {
    const text = n.string();
    if (text !== 'http' && text !== 'https') throw n.error(`must be http or https, got ${JSON.stringify(text)}`);
    return text;
  }, 'http' as 'http' | 'https');
  // Consul's client takes a scheme written in the address (http://…, https://…) over `scheme`.
  const explicit = /^(https?):\/\/(.+)$/i.exec(server);
  if (explicit) scheme = explicit[1]!.toLowerCase() as 'http' | 'https';
  const address = explicit ? explicit[2]! : server;
  const pathPrefix = optionalString(node.field('path_prefix')) ?? '';
  try {
    new URL(`${scheme}://${address}${pathPrefix.replace(/^\/*/, '/')}`);
  } catch {
    throw serverNode.error(`${JSON.stringify(server)} is not a server address (host:port)`);
  }
  let auth = parseHttpAuth(node);
  const username = optionalString(node.field('username'));
  const password = optionalString(node.field('password'));
  if (username !== undefined || password !== undefined) {
    if (!node.field('basic_auth').isAbsent) {
      throw node.field(username !== undefined ? 'username' : 'password').error('only one of username/password and basic_auth may be set');
    }
    if (auth) throw node.field(username !== undefined ? 'username' : 'password').error(`cannot be used together with ${node.keys().find((k) => ['authorization', 'bearer_token', 'bearer_token_file'].includes(k))}`);
    auth = { type: 'basic', ...defined({ username, password }) };
  }
  const token = optionalString(node.field('token'));
  if (token !== undefined && !node.field('authorization').isAbsent) throw node.field('token').error('only one of token and authorization may be set');
  const tls = node.field('tls_config').optional(parseTlsConfig, undefined);
  node.field('follow_redirects').optional(boolean, true);
  node.field('enable_http2').optional(boolean, true); // accepted; Node's client speaks HTTP/1.1
  const strings = (key: string): string[] => node.field(key).optional((n) => n.items().map((item) => item.string()), []);
  const nodeMeta = node.field('node_meta').optional((n) => {
    const meta: Record<string, string> = {};
    for (const key of n.keys()) meta[key] = n.field(key).string();
    return meta;
  }, {});
  return {
    server: address,
    scheme,
    pathPrefix,
    ...defined({ token }),
    datacenter: optionalString(node.field('datacenter')) ?? '',
    namespace: optionalString(node.field('namespace')) ?? '',
    partition: optionalString(node.field('partition')) ?? '',
    services: strings('services'),
    tags: strings('tags'),
    nodeMeta,
    tagSeparator: optionalString(node.field('tag_separator')) ?? ',',
    allowStale: node.field('allow_stale').optional(boolean, true),
    refreshIntervalMs: refreshInterval(node, 30_000),
    ...(auth ? { auth } : {}),
    ...(tls ? { tls } : {}),
  };
}

function httpUrl(node: YamlNode): string {
  const url = node.nonEmptyString();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw node.error(`${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw node.error(`URL scheme must be http or https, got ${JSON.stringify(url)}`);
  if (parsed.hostname === '') throw node.error(`host is missing in URL ${JSON.stringify(url)}`);
  return url;
}

function refreshInterval(node: YamlNode, fallbackMs: number): number {
  const intervalNode = node.field('refresh_interval');
  const ms = intervalNode.optional((n) => n.duration(), fallbackMs);
  if (ms <= 0) throw intervalNode.error('must be positive');
  return ms;
}

// Prometheus (common/config HTTPClientConfig.Validate): one way to authenticate, at most.
function parseHttpAuth(node: YamlNode): HttpAuthConfig | undefined {
  const present = ['basic_auth', 'authorization', 'bearer_token', 'bearer_token_file'].filter((key) => !node.field(key).isAbsent);
  if (present.length > 1) {
    throw node.field(present[1]!).error(`only one of basic_auth, authorization, bearer_token and bearer_token_file may be set (found ${present.join(' and ')})`);
  }
  const basic = node.field('basic_auth');
  if (!basic.isAbsent) {
    basic.rejectUnknownKeys(['username', 'username_file', 'password', 'password_file']);
    const username = optionalString(basic.field('username'));
    const usernameFile = optionalString(basic.field('username_file'));
    const password = optionalString(basic.field('password'));
    const passwordFile = optionalString(basic.field('password_file'));
    if (username !== undefined && usernameFile !== undefined) throw basic.field('username_file').error('only one of username and username_file may be set');
    if (password !== undefined && passwordFile !== undefined) throw basic.field('password_file').error('only one of password and password_file may be set');
    return { type: 'basic', ...defined({ username, usernameFile, password, passwordFile }) };
  }
  const authorization = node.field('authorization');
  if (!authorization.isAbsent) {
    authorization.rejectUnknownKeys(['type', 'credentials', 'credentials_file']);
    const scheme = authorization.field('type').optional((n) => n.nonEmptyString(), 'Bearer');
    if (scheme.toLowerCase() === 'basic') throw authorization.field('type').error('cannot be Basic: use basic_auth instead');
    const credentials = optionalString(authorization.field('credentials'));
    const credentialsFile = optionalString(authorization.field('credentials_file'));
    if (credentials !== undefined && credentialsFile !== undefined) {
      throw authorization.field('credentials_file').error('only one of credentials and credentials_file may be set');
    }
    return { type: 'authorization', scheme, ...defined({ credentials, credentialsFile }) };
  }
  const bearer = optionalString(node.field('bearer_token'));
  if (bearer !== undefined) return { type: 'authorization', scheme: 'Bearer', credentials: bearer };
  const bearerFile = optionalString(node.field('bearer_token_file'));
  if (bearerFile !== undefined) return { type: 'authorization', scheme: 'Bearer', credentialsFile: bearerFile };
  return undefined;
}

function parseTlsConfig(node: YamlNode): TlsConfig {
  rejectUnsupported(node, UNSUPPORTED_TLS_KEYS, 'use ca_file, cert_file, key_file');
  node.rejectUnknownKeys(TLS_KEYS);
  const certFile = optionalString(node.field('cert_file'));
  const keyFile = optionalString(node.field('key_file'));
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw node.field(certFile === undefined ? 'key_file' : 'cert_file').error('cert_file and key_file go together: set both or neither');
  }
  const minVersion = node.field('min_version').optional((n) => {
    const version = TLS_VERSIONS[n.string()];
    if (!version) throw n.error(`unknown TLS version ${JSON.stringify(n.value)} (one of: ${Object.keys(TLS_VERSIONS).join(', ')})`);
    return version;
  }, undefined);
  return {
    ...defined({ caFile: optionalString(node.field('ca_file')), certFile, keyFile, serverName: optionalString(node.field('server_name')), minVersion }),
    insecureSkipVerify: node.field('insecure_skip_verify').optional(boolean, false),
  };
}

function rejectUnsupported(node: YamlNode, keys: readonly string[], hint?: string): void {
  for (const key of node.keys()) {
    if (keys.includes(key)) throw node.field(key).error(`not supported by Periskop: ${key}${hint ? ` (${hint})` : ''}`);
  }
}

function optionalString(node: YamlNode): string | undefined {
  return node.optional((n) => n.string(), undefined);
}

export function boolean(node: YamlNode): boolean {
  if (typeof node.value !== 'boolean') throw node.error(`expected true or false, got ${JSON.stringify(node.value)}`);
  return node.value;
}

function defined<T extends Record<string, unknown>>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
