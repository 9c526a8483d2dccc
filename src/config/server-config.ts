// `server`: how this process listens. PORT and --port override it (see environment-overrides.ts).

import type { ServerConfig } from './config.types.js';
import { parseLabelName } from './static-config.js';
import type { YamlNode } from './yaml-node.js';

/** The metric's own labels, which a breakdown label may not shadow. */
const METRIC_LABELS = ['service_name', 'aggregation_key', 'severity'];

export const DEFAULT_PORT = 8080;
export const DEFAULT_METRICS_KEYS_PER_SERVICE = 1000;

export function parseServerConfig(node: YamlNode): ServerConfig {
  if (node.isAbsent) return { port: DEFAULT_PORT, metricsKeysPerService: DEFAULT_METRICS_KEYS_PER_SERVICE, metricsBreakdownLabel: null };
  node.rejectUnknownKeys(['port', 'metrics_keys_per_service', 'metrics_breakdown_label']);
  return {
    port: node.field('port').optional((n) => n.integer(1, 65535), DEFAULT_PORT),
    metricsKeysPerService: node.field('metrics_keys_per_service').optional((n) => n.integer(0, 1_000_000), DEFAULT_METRICS_KEYS_PER_SERVICE),
    metricsBreakdownLabel: node.field('metrics_breakdown_label').optional(parseMetricsBreakdownLabel, null),
  };
}

function parseMetricsBreakdownLabel(node: YamlNode): string {
  const name = parseLabelName(node);
  if (METRIC_LABELS.includes(name)) throw node.error(`${JSON.stringify(name)} is already a label of periskop_error_occurrences`);
  return name;
}
