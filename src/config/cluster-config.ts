// `cluster`: several replicas sharing one JetStream stream and one database. Absent or
// `enabled: false`: this process owns every service and partition, and no lease is taken.

import { hostname } from 'node:os';
import type { ClusterConfig, EventsConfig } from './config.types.js';
import type { YamlNode } from './yaml-node.js';

export const DEFAULT_LEASE_TTL_MS = 15_000;
const MIN_LEASE_TTL_MS = 1_000;
const CLUSTER_KEYS = ['enabled', 'lease_ttl', 'replica_id'] as const;

export function parseClusterConfig(node: YamlNode, events: EventsConfig): ClusterConfig | undefined {
  if (node.isAbsent) return undefined;
  node.rejectUnknownKeys(CLUSTER_KEYS);
  const enabledNode = node.field('enabled');
  const enabled = enabledNode.optional(parseBoolean, true);
  if (enabled && events.type !== 'jetstream') {
    throw enabledNode.error('a cluster needs a shared event log: set events.type to jetstream (or enabled: false)');
  }
  const leaseTtlNode = node.field('lease_ttl');
  const leaseTtlMs = leaseTtlNode.optional((n) => n.duration(), DEFAULT_LEASE_TTL_MS);
  if (leaseTtlMs < MIN_LEASE_TTL_MS) throw leaseTtlNode.error(`must be at least 1s (a lease is renewed every third of it)`);
  return {
    enabled,
    leaseTtlMs,
    replicaId: node.field('replica_id').optional((n) => n.nonEmptyString(), `${hostname()}-${process.pid}`),
  };
}

function parseBoolean(node: YamlNode): boolean {
  if (typeof node.value !== 'boolean') throw node.error(`expected true or false, got ${JSON.stringify(node.value)}`);
  return node.value;
}
