// `server`: how this process listens. PORT and --port override it (see environment-overrides.ts).

import type { ServerConfig } from './config.types.js';
import type { YamlNode } from './yaml-node.js';

export const DEFAULT_PORT = 8080;

export function parseServerConfig(node: YamlNode): ServerConfig {
  if (node.isAbsent) return { port: DEFAULT_PORT };
  node.rejectUnknownKeys(['port']);
  return { port: node.field('port').optional((n) => n.integer(1, 65535), DEFAULT_PORT) };
}
