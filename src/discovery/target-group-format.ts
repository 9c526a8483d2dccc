import { describeValue, YamlNode } from '../config/yaml-node.js';

/** A target group as Prometheus file and HTTP discovery write it. */
export interface TargetGroupDocument {
  targets: string[];
  labels: Record<string, string>;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Reads Prometheus' target group list: `[{targets: [host:port…], labels: {name: value}}]`.
 * `origin` (a file or URL) starts the messages, followed by the place: `targets.json: [1].labels: …`.
 * As in Prometheus, YAML is read strictly (unknown keys are refused; scalar label values
 * become text, as Go's YAML decoder made them) and JSON loosely (unknown keys ignored, label
 * values must be strings).
 */
export function parseTargetGroups(value: unknown, origin: string, format: 'json' | 'yaml'): TargetGroupDocument[] {
  const root = new YamlNode(value, origin, '');
  if (format === 'yaml' && root.isAbsent) return []; // an empty YAML file lists no groups
  if (!Array.isArray(value)) throw root.error(`expected a list of target groups ([{targets: [...], labels: {...}}]), got ${describeValue(value)}`);
  return root.items().map((group) => {
    if (group.value === null) throw group.error('a target group is null');
    if (format === 'yaml') group.rejectUnknownKeys(['targets', 'labels']);
    else group.mapping();
    return {
      targets: group.field('targets').optional((n) => n.items().map((t) => t.string()), []),
      labels: group.field('labels').optional((n) => labels(n, format), {}),
    };
  });
}

function labels(node: YamlNode, format: 'json' | 'yaml'): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of node.keys()) {
    const valueNode = node.field(name);
    if (!LABEL_NAME.test(name)) throw valueNode.error(`${JSON.stringify(name)} is not a valid label name`);
    const value = valueNode.value;
    if (typeof value === 'string') result[name] = value;
    else if (format === 'yaml' && (typeof value === 'number' || typeof value === 'boolean')) result[name] = String(value);
    else throw valueNode.error(`expected a string label value, got ${describeValue(value)}`);
  }
  return result;
}
