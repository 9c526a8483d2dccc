// `server`: how this process listens. PORT and --port override it (see environment-overrides.ts).

import type { ServerConfig } from './config.types.js';
import { parseHttpSecurityConfig, SECURITY_KEYS } from './security-config.js';
import { parseLabelName } from './static-config.js';
import type { YamlNode } from './yaml-node.js';

/** The metric's own labels, which a breakdown label may not shadow. */
const METRIC_LABELS = ['service_name', 'aggregation_key', 'severity'];

export const DEFAULT_PORT = 8080;
export const DEFAULT_METRICS_KEYS_PER_SERVICE = 1000;
export const DEFAULT_OCCURRENCE_RETENTION_MS = { '1m': 48 * 3_600_000, '1h': 90 * 86_400_000 };

export function parseServerConfig(node: YamlNode): ServerConfig {
  if (node.isAbsent) {
    return {
      port: DEFAULT_PORT,
      metricsKeysPerService: DEFAULT_METRICS_KEYS_PER_SERVICE,
      metricsBreakdownLabel: null,
      occurrenceRetentionMs: DEFAULT_OCCURRENCE_RETENTION_MS,
    };
  }
  node.rejectUnknownKeys(['port', 'metrics_keys_per_service', 'metrics_breakdown_label', 'occurrence_retention', ...SECURITY_KEYS]);
  const security = parseHttpSecurityConfig(node);
  return {
    ...(security ? { security } : {}),
    port: node.field('port').optional((n) => n.integer(1, 65535), DEFAULT_PORT),
    metricsKeysPerService: node.field('metrics_keys_per_service').optional((n) => n.integer(0, 1_000_000), DEFAULT_METRICS_KEYS_PER_SERVICE),
    metricsBreakdownLabel: node.field('metrics_breakdown_label').optional(parseMetricsBreakdownLabel, null),
    occurrenceRetentionMs: node.field('occurrence_retention').optional(parseOccurrenceRetention, DEFAULT_OCCURRENCE_RETENTION_MS),
  };
}

function parseMetricsBreakdownLabel(node: YamlNode): string {
  const name = parseLabelName(node);
  if (METRIC_LABELS.includes(name)) throw node.error(`${JSON.stringify(name)} is already a label of periskop_error_occurrences`);
  return name;
}

/** `{minutes: 48h, hours: 90d}`: how long the occurrence charts' buckets are kept. */
function parseOccurrenceRetention(node: YamlNode): { '1m': number; '1h': number } {
  node.rejectUnknownKeys(['minutes', 'hours']);
  const positive = (field: YamlNode) => {
    const ms = field.duration();
    if (ms <= 0) throw field.error('must be longer than 0s');
    return ms;
  };
  return {
    '1m': node.field('minutes').optional(positive, DEFAULT_OCCURRENCE_RETENTION_MS['1m']),
    '1h': node.field('hours').optional(positive, DEFAULT_OCCURRENCE_RETENTION_MS['1h']),
  };
}
