// `server`: how this process listens. PORT and --port override it (see environment-overrides.ts).

import type { ServerConfig } from './config.types.js';
import { parseHttpSecurityConfig, SECURITY_KEYS } from './security-config.js';
import type { YamlNode } from './yaml-node.js';

export const DEFAULT_PORT = 8080;
export const DEFAULT_METRICS_KEYS_PER_SERVICE = 1000;

export function parseServerConfig(node: YamlNode): ServerConfig {
  if (node.isAbsent) return { port: DEFAULT_PORT, metricsKeysPerService: DEFAULT_METRICS_KEYS_PER_SERVICE };
  node.rejectUnknownKeys(['port', 'metrics_keys_per_service', ...SECURITY_KEYS]);
  const security = parseHttpSecurityConfig(node);
  return {
    ...(security ? { security } : {}),
    port: node.field('port').optional((n) => n.integer(1, 65535), DEFAULT_PORT),
    metricsKeysPerService: node.field('metrics_keys_per_service').optional((n) => n.integer(0, 1_000_000), DEFAULT_METRICS_KEYS_PER_SERVICE),
  };
}
