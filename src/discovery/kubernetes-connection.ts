// Where the Kubernetes API server is and how to authenticate, from a kubernetes_sd_configs
// entry: an explicit api_server with Prometheus' HTTP client options, a kubeconfig file (its
// current context), or the in-cluster service account (what Prometheus does when neither is set).

import { readFile } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import path from 'node:path';
import * as yaml from 'js-yaml';
import type { KubernetesSdConfig } from '../config/config.types.js';
import { configuredConnection, readSecret, type HttpConnection } from './discovery-http-client.js';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubernetesConnection extends HttpConnection {
  /** The API server's base URL (may carry a path prefix). */
  server: URL;
  /** The service account's namespace, read when `namespaces.own_namespace` is set. */
  ownNamespace?: string;
}

/** Where in-cluster configuration comes from; tests replace it. */
export interface KubernetesEnvironment {
  env: Readonly<Record<string, string | undefined>>;
  serviceAccountDir: string;
}

export async function kubernetesConnection(
  config: KubernetesSdConfig,
  environment: KubernetesEnvironment = { env: process.env, serviceAccountDir: SERVICE_ACCOUNT_DIR },
): Promise<KubernetesConnection> {
  if (config.apiServer !== undefined) return { server: new URL(config.apiServer), ...configuredConnection(config.auth, config.tls) };
  if (config.kubeconfigFile !== undefined) return kubeconfigConnection(config.kubeconfigFile);
  return inClusterConnection(environment, config.namespaces.ownNamespace);
}

async function inClusterConnection({ env, serviceAccountDir }: KubernetesEnvironment, ownNamespace: boolean): Promise<KubernetesConnection> {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new Error('not running in a Kubernetes cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set (set api_server or kubeconfig_file)');
  }
  const tokenFile = path.join(serviceAccountDir, 'token');
  const caFile = path.join(serviceAccountDir, 'ca.crt');
  let namespace: string | undefined;
  if (ownNamespace) {
    namespace = await readSecret(path.join(serviceAccountDir, 'namespace'), 'the own namespace from');
    if (namespace === '') throw new Error(`cannot read the own namespace: ${path.join(serviceAccountDir, 'namespace')} is empty`);
  }
  return {
    server: new URL(`https://${isIPv6(host) ? `[${host}]` : host}:${port}`),
    ...(namespace !== undefined ? { ownNamespace: namespace } : {}),
    // The token is rotated by the kubelet: read it at every request.
    headers: async () => ({ Authorization: `Bearer ${await readSecret(tokenFile, 'service account token')}` }),
    tlsOptions: async () => ({ ca: await readSecret(caFile, 'service account CA'), agent: false }),
  };
}

type Mapping = Record<string, unknown>;

/**
 * A minimal kubeconfig reader: the current context's cluster (server, certificate-authority[-data],
 * insecure-skip-tls-verify, tls-server-name) and user (token, tokenFile, client-certificate[-data]
 * with client-key[-data], username/password). Relative paths are relative to the file, as in kubectl.
 */
export async function kubeconfigConnection(file: string): Promise<KubernetesConnection> {
  let document: unknown;
  try {
    document = yaml.load(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`kubeconfig ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n')[0]}`);
  }
  const fail = (problem: string): Error => new Error(`kubeconfig ${file}: ${problem}`);
  if (!isMapping(document)) throw fail('not a kubeconfig (expected a mapping)');
  const contextName = document['current-context'];
  if (typeof contextName !== 'string' || contextName === '') throw fail('no current-context');
  const named = (list: string, name: unknown, key: string): Mapping => {
    const entry = (Array.isArray(document[list]) ? (document[list] as unknown[]) : []).find((e) => isMapping(e) && e.name === name);
    if (!isMapping(entry) || !isMapping(entry[key])) throw fail(`${key} ${JSON.stringify(name)} not found in ${list}`);
    return entry[key];
  };
  const context = named('contexts', contextName, 'context');
  const cluster = named('clusters', context.cluster, 'cluster');
  const user = context.user === undefined ? {} : named('users', context.user, 'user');
  if (user.exec !== undefined || user['auth-provider'] !== undefined) {
    throw fail(`user ${JSON.stringify(context.user)}: exec and auth-provider credentials are not supported (use a token, tokenFile or a client certificate)`);
  }
  if (typeof cluster.server !== 'string') throw fail(`cluster ${JSON.stringify(context.cluster)} has no server`);
  const dir = path.dirname(file);
  const local = (value: unknown): string => path.resolve(dir, String(value));
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  const fileOrData = async (fileKey: unknown, dataKey: unknown, what: string): Promise<string | undefined> => {
    if (text(dataKey)) return Buffer.from(String(dataKey), 'base64').toString('utf8');
    if (text(fileKey)) return readSecret(local(fileKey), what);
    return undefined;
  };
  const server = new URL(cluster.server);
  return {
    server,
    headers: async (): Promise<Record<string, string>> => {
      if (text(user.token)) return { Authorization: `Bearer ${String(user.token)}` };
      if (text(user.tokenFile)) return { Authorization: `Bearer ${await readSecret(local(user.tokenFile), 'tokenFile')}` };
      if (text(user.username) || text(user.password)) {
        return { Authorization: `Basic ${Buffer.from(`${String(user.username ?? '')}:${String(user.password ?? '')}`).toString('base64')}` };
      }
      return {};
    },
    tlsOptions: async () => {
      const ca = await fileOrData(cluster['certificate-authority'], cluster['certificate-authority-data'], 'certificate-authority');
      const cert = await fileOrData(user['client-certificate'], user['client-certificate-data'], 'client-certificate');
      const key = await fileOrData(user['client-key'], user['client-key-data'], 'client-key');
      return {
        ...(ca !== undefined ? { ca } : {}),
        ...(cert !== undefined ? { cert } : {}),
        ...(key !== undefined ? { key } : {}),
        ...(text(cluster['tls-server-name']) ? { servername: String(cluster['tls-server-name']) } : {}),
        rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true,
        agent: false,
      };
    },
  };
}

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
