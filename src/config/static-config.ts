// One entry of a service's `static_configs`, as in Prometheus: fixed targets and labels.

import type { StaticConfig } from './config.types.js';
import { isPortNumber } from './port-number.js';
import { describeValue, type YamlNode } from './yaml-node.js';

const STATIC_CONFIG_KEYS = ['targets', 'labels'] as const;

// host, host:port, [v6]:port — what the Go server put between "http://" and the endpoint.
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(?::(\d+))?$/;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function parseStaticConfig(node: YamlNode): StaticConfig {
  node.rejectUnknownKeys(STATIC_CONFIG_KEYS);
  return {
    targets: node.field('targets').optional((n) => n.items().map(parseTarget), []),
    labels: node.field('labels').optional(parseLabels, {}),
  };
}

function parseTarget(node: YamlNode): string {
  const target = node.nonEmptyString().trim();
  const problem = targetProblem(target);
  if (problem !== undefined) throw node.error(problem);
  return target;
}

function targetProblem(target: string): string | undefined {
  const expected = `${JSON.stringify(target)} is not a target (expected host:port such as "localhost:7777" or an http(s) URL)`;
  if (target.includes('://')) {
    try {
      const url = new URL(target);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? undefined : expected;
    } catch {
      return expected;
    }
  }
  const match = HOST_PORT.exec(target);
  if (match === null) return expected;
  if (match[2] !== undefined && !isPortNumber(Number(match[2]))) {
    return `${JSON.stringify(target)} has port ${match[2]}, outside 1..65535`;
  }
  return undefined;
}

/** Also used for `breakdown_labels`. */
export function parseLabelName(node: YamlNode): string {
  const name = node.string();
  if (!LABEL_NAME.test(name)) throw node.error(`${JSON.stringify(name)} is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)`);
  return name;
}

function parseLabels(node: YamlNode): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const name of node.keys()) {
    const valueNode = node.field(name);
    if (!LABEL_NAME.test(name)) {
      throw valueNode.error(`${JSON.stringify(name)} is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)`);
    }
    labels[name] = labelValue(valueNode);
  }
  return labels;
}

// The Go server's YAML decoder turned unquoted scalars (`shard: 1`, `canary: true`) into
// label strings, so they are accepted here too rather than refusing a Go file.
function labelValue(node: YamlNode): string {
  const value = node.value;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw node.error(`expected a string, got ${describeValue(value)}`);
}
