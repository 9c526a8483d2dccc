import { createHash } from 'node:crypto';
import type { RelabelConfig } from '../config/config.types.js';
import type { Relabel } from './final-targets.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Prometheus relabeling (model/relabel.Process): applies `configs` in order to a target's
 * labels. Returns the resulting labels, or null when a keep/drop/keepequal/dropequal rule
 * drops the target. As in Prometheus, a label set to the empty string is removed, and a
 * missing label reads as the empty string.
 */
export function relabel(labels: Readonly<Record<string, string>>, configs: readonly RelabelConfig[]): Record<string, string> | null {
  const lb = new Map(Object.entries(labels));
  const get = (name: string): string => lb.get(name) ?? '';
  const set = (name: string, value: string): void => {
    if (value === '') lb.delete(name);
    else lb.set(name, value);
  };
  for (const c of configs) {
    const value = c.sourceLabels.map(get).join(c.separator);
    switch (c.action) {
      case 'drop':
        if (c.regex.test(value)) return null;
        break;
      case 'keep':
        if (!c.regex.test(value)) return null;
        break;
      case 'dropequal':
        if (get(c.targetLabel) === value) return null;
        break;
      case 'keepequal':
        if (get(c.targetLabel) !== value) return null;
        break;
      case 'replace': {
        const match = c.regex.exec(value);
        if (!match) break; // no match: nothing is replaced
        const target = expand(c.targetLabel, match);
        if (!LABEL_NAME.test(target)) break;
        set(target, expand(c.replacement, match));
        break;
      }
      case 'lowercase':
        set(c.targetLabel, value.toLowerCase());
        break;
      case 'uppercase':
        set(c.targetLabel, value.toUpperCase());
        break;
      case 'hashmod':
        set(c.targetLabel, String(hashMod(value, c.modulus)));
        break;
      case 'labelmap':
        for (const [name, labelValue] of sortedSnapshot(lb)) {
          const match = c.regex.exec(name);
          if (match) set(expand(c.replacement, match), labelValue);
        }
        break;
      case 'labeldrop':
        for (const [name] of sortedSnapshot(lb)) if (c.regex.test(name)) lb.delete(name);
        break;
      case 'labelkeep':
        for (const [name] of sortedSnapshot(lb)) if (!c.regex.test(name)) lb.delete(name);
        break;
    }
  }
  return Object.fromEntries([...lb].filter(([, v]) => v !== ''));
}

/** The Relabel function for a service: relabeling with its configs, or labels as they are. */
export function relabelWith(configs: readonly RelabelConfig[] | undefined): Relabel {
  if (!configs || configs.length === 0) return (labels) => labels;
  return (labels) => relabel(labels, configs);
}

/**
 * Prometheus' hashmod: MD5 of the value, its last 8 bytes read as a big-endian unsigned
 * 64-bit integer, modulo `modulus` (relabel.go: `binary.BigEndian.Uint64(hash[8:]) % Modulus`).
 */
export function hashMod(value: string, modulus: number): bigint {
  const hash = createHash('md5').update(value, 'utf8').digest();
  return hash.readBigUInt64BE(8) % BigInt(modulus);
}

// Prometheus iterates a snapshot of the labels (sorted by name) while it changes them.
function sortedSnapshot(labels: Map<string, string>): [string, string][] {
  return [...labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Go's Regexp.Expand: `$1`, `${1}`, `$name`, `${name}` are replaced by the submatch (empty
 * when it did not take part or does not exist), `$$` is a `$`. A name is the longest run of
 * letters, digits and `_`, so `$1x` means the group named `1x` (empty), not `$1` then `x`.
 */
export function expand(template: string, match: RegExpExecArray): string {
  let out = '';
  let rest = template;
  for (;;) {
    const dollar = rest.indexOf('$');
    if (dollar === -1) return out + rest;
    out += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const ref = /^(?:\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/u.exec(rest);
    if (!ref) {
      out += '$'; // malformed: the $ is kept as text
      continue;
    }
    rest = rest.slice(ref[0].length);
    const name = (ref[1] ?? ref[2])!;
    if (/^(0|[1-9]\d{0,7})$/.test(name)) out += match[Number(name)] ?? '';
    else out += match.groups?.[name] ?? '';
  }
}
