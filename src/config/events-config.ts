// `events`: the event log. Absent means the embedded log under data/events, so a single
// process runs without NATS.

import type { EventsConfig } from './config.types.js';
import { normalizeDataPath } from './data-path.js';
import { DEFAULT_SNAPSHOTS, parseSnapshotConfig, SNAPSHOT_KEYS } from './snapshot-config.js';
import type { YamlNode } from './yaml-node.js';

export const DEFAULT_EVENTS_PATH = 'data/events';
export const DEFAULT_STREAM = 'PERISKOP';
export const DEFAULT_SUBJECT_PREFIX = 'periskop';

const EMBEDDED_KEYS = ['type', 'path', ...SNAPSHOT_KEYS] as const;
const JETSTREAM_KEYS = ['type', 'url', 'stream', 'replicas', 'max_age', 'max_bytes', 'subject_prefix', 'partitions', ...SNAPSHOT_KEYS] as const;
const MAX_PARTITIONS = 256;

export function parseEventsConfig(node: YamlNode): EventsConfig {
  if (node.isAbsent) return { type: 'embedded', path: DEFAULT_EVENTS_PATH, snapshots: DEFAULT_SNAPSHOTS };
  const typeNode = node.field('type');
  const type = typeNode.optional((n) => n.string(), 'embedded');
  switch (type) {
    case 'embedded':
      node.rejectUnknownKeys(EMBEDDED_KEYS, 'with type embedded');
      return {
        type,
        path: normalizeDataPath(node.field('path').optional((n) => n.nonEmptyString(), DEFAULT_EVENTS_PATH)),
        snapshots: parseSnapshotConfig(node),
      };
    case 'jetstream':
      return parseJetStreamConfig(node);
    default:
      throw typeNode.error(`"${type}" is not an event log type (allowed: embedded, jetstream)`);
  }
}

function parseJetStreamConfig(node: YamlNode): EventsConfig {
  node.rejectUnknownKeys(JETSTREAM_KEYS, 'with type jetstream');
  const urlNode = node.field('url');
  if (urlNode.isAbsent) throw urlNode.error('required with type jetstream (e.g. "nats://localhost:4222")');
  return {
    type: 'jetstream',
    url: parseNatsServers(urlNode),
    stream: node.field('stream').optional(parseStreamName, DEFAULT_STREAM),
    replicas: node.field('replicas').optional((n) => n.integer(1, 5), 1),
    maxAgeMs: node.field('max_age').optional((n) => n.duration(), 0),
    maxBytes: node.field('max_bytes').optional(parseMaxBytes, -1),
    subjectPrefix: node.field('subject_prefix').optional(parseSubjectToken, DEFAULT_SUBJECT_PREFIX),
    // Left out when absent, so configurations without it stay exactly what they were.
    partitions: node.field('partitions').optional((n) => n.integer(1, MAX_PARTITIONS), undefined),
    snapshots: parseSnapshotConfig(node),
  };
}

// NATS clients take a comma-separated seed list; each entry must be a nats:// or tls:// URL.
function parseNatsServers(node: YamlNode): string {
  const servers = node
    .nonEmptyString()
    .split(',')
    .map((server) => server.trim());
  for (const server of servers) {
    if (!isNatsServerUrl(server)) {
      throw node.error(
        `${JSON.stringify(server)} is not a NATS server URL (expected e.g. "nats://host:4222" or "tls://host:4222", several separated by commas)`,
      );
    }
  }
  return servers.join(',');
}

function isNatsServerUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'nats:' || url.protocol === 'tls:') && url.hostname !== '';
  } catch {
    return false;
  }
}

// JetStream stream names may not contain spaces, dots, * or >; this narrower set also keeps
// them safe as file names on the server.
function parseStreamName(node: YamlNode): string {
  const name = node.string();
  if (!/^[A-Za-z0-9_-]+$/.test(name)) {
    throw node.error(`${JSON.stringify(name)} is not a stream name (letters, digits, _ and - only)`);
  }
  return name;
}

// The prefix is the first token of every subject (`periskop.<type>.<service>`), so it must
// be one token; `$` starts the server's reserved subjects ($JS, $SYS).
function parseSubjectToken(node: YamlNode): string {
  const token = node.string();
  if (!/^[^\s.*>]+$/.test(token) || token.startsWith('$')) {
    throw node.error(
      `${JSON.stringify(token)} is not a single NATS subject token (no dots, spaces, * or >, not starting with $)`,
    );
  }
  return token;
}

function parseMaxBytes(node: YamlNode): number {
  if (node.value === -1) return -1;
  const limitProblem = 'must be -1 (unlimited) or a positive size such as "10GiB"';
  if (typeof node.value === 'number' && node.value < 0) throw node.error(limitProblem);
  const bytes = node.byteSize();
  if (bytes === 0) throw node.error(limitProblem);
  return bytes;
}
