// A service's `relabel_configs`, validated as Prometheus validates them (model/relabel): the
// same defaults, the same required fields per action, the same refusals.

import type { RelabelAction, RelabelConfig } from './config.types.js';
import { compilePrometheusRegex } from './prometheus-regex.js';
import { parseLabelName } from './static-config.js';
import { describeValue, type YamlNode } from './yaml-node.js';

const RELABEL_KEYS = ['source_labels', 'separator', 'regex', 'modulus', 'target_label', 'replacement', 'action'] as const;

export const RELABEL_ACTIONS: readonly RelabelAction[] = [
  'replace',
  'keep',
  'drop',
  'keepequal',
  'dropequal',
  'hashmod',
  'labelmap',
  'labeldrop',
  'labelkeep',
  'lowercase',
  'uppercase',
];

const DEFAULT_SEPARATOR = ';';
const DEFAULT_REGEX = '(.*)';
const DEFAULT_REPLACEMENT = '$1';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// Prometheus' `relabelTarget`: a label name in which $1, ${1}, $name, ${name} may appear.
const LABEL_NAME_TEMPLATE = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

export function parseRelabelConfigs(node: YamlNode): RelabelConfig[] {
  return node.items().map(parseRelabelConfig);
}

export function parseRelabelConfig(node: YamlNode): RelabelConfig {
  node.rejectUnknownKeys(RELABEL_KEYS);
  const action = node.field('action').optional(parseAction, 'replace');
  const regexNode = node.field('regex');
  const config: RelabelConfig = {
    action,
    sourceLabels: node.field('source_labels').optional((n) => n.items().map(parseLabelName), []),
    separator: node.field('separator').optional(scalarText, DEFAULT_SEPARATOR),
    regex: compileRegex(regexNode),
    modulus: node.field('modulus').optional((n) => n.integer(0, Number.MAX_SAFE_INTEGER), 0),
    targetLabel: node.field('target_label').optional(scalarText, ''),
    replacement: node.field('replacement').optional(scalarText, DEFAULT_REPLACEMENT),
  };
  validate(node, config, !regexNode.isAbsent);
  return config;
}

function parseAction(node: YamlNode): RelabelAction {
  const text = node.string();
  const action = text.toLowerCase() as RelabelAction;
  if (!RELABEL_ACTIONS.includes(action)) {
    throw node.error(`unknown relabel action ${JSON.stringify(text)} (one of: ${RELABEL_ACTIONS.join(', ')})`);
  }
  return action;
}

function compileRegex(node: YamlNode): RegExp {
  try {
    return compilePrometheusRegex(node.optional(scalarText, DEFAULT_REGEX));
  } catch (error) {
    throw node.error((error as Error).message);
  }
}

// Go's YAML decoder reads any scalar into a string field (`regex: 200`, `replacement: 1`).
function scalarText(node: YamlNode): string {
  const value = node.value;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw node.error(`expected a string, got ${describeValue(value)}`);
}

function validate(node: YamlNode, c: RelabelConfig, regexSet: boolean): void {
  const { action } = c;
  const at = (key: string) => node.field(key);
  const needsTarget = ['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal'].includes(action);
  if (action === 'hashmod' && c.modulus === 0) {
    throw at('modulus').error('required: a non-zero modulus for action hashmod');
  }
  if (needsTarget && c.targetLabel === '') throw at('target_label').error(`required for action ${action}`);
  if (action === 'replace') {
    const valid = c.targetLabel.includes('$') ? LABEL_NAME_TEMPLATE.test(c.targetLabel) : LABEL_NAME.test(c.targetLabel);
    if (!valid) throw at('target_label').error(`${JSON.stringify(c.targetLabel)} is not a valid target_label for action replace`);
  }
  if (needsTarget && action !== 'replace' && !LABEL_NAME.test(c.targetLabel)) {
    throw at('target_label').error(`${JSON.stringify(c.targetLabel)} is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)`);
  }
  if (['lowercase', 'uppercase', 'keepequal', 'dropequal'].includes(action) && c.replacement !== DEFAULT_REPLACEMENT) {
    throw at('replacement').error(`cannot be set for action ${action}`);
  }
  if (action === 'labelmap' && !LABEL_NAME_TEMPLATE.test(c.replacement)) {
    throw at('replacement').error(`${JSON.stringify(c.replacement)} is not a valid replacement for action labelmap (a label name, with $1 or \${name} references)`);
  }
  if (action === 'keepequal' || action === 'dropequal') {
    const extra = offending(node, ['regex', 'modulus', 'separator', 'replacement'], {
      regex: regexSet,
      modulus: c.modulus !== 0,
      separator: c.separator !== DEFAULT_SEPARATOR,
      replacement: c.replacement !== DEFAULT_REPLACEMENT,
    });
    if (extra) throw extra.error(`action ${action} takes only source_labels and target_label`);
  }
  if (action === 'labeldrop' || action === 'labelkeep') {
    const extra = offending(node, ['source_labels', 'target_label', 'modulus', 'separator', 'replacement'], {
      source_labels: !at('source_labels').isAbsent,
      target_label: c.targetLabel !== '',
      modulus: c.modulus !== 0,
      separator: c.separator !== DEFAULT_SEPARATOR,
      replacement: c.replacement !== DEFAULT_REPLACEMENT,
    });
    if (extra) throw extra.error(`action ${action} takes only regex`);
  }
}

function offending(node: YamlNode, keys: string[], set: Record<string, boolean>): YamlNode | undefined {
  const key = keys.find((k) => set[k]);
  return key === undefined ? undefined : node.field(key);
}
