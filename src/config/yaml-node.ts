// A value from the parsed YAML together with the file and key path it came from, so each
// check can fail with a ConfigError that points at the exact key.

import { parseByteSize } from './byte-size.js';
import { ConfigError } from './config-error.js';
import { parseDuration } from './duration.js';

export type YamlMapping = Record<string, unknown>;

export class YamlNode {
  constructor(
    readonly value: unknown,
    readonly file: string,
    /** Empty for the document itself. */
    readonly path: string,
  ) {}

  /** Missing keys and explicit nulls (`scraper:` with nothing under it) both mean "not set". */
  get isAbsent(): boolean {
    return this.value === undefined || this.value === null;
  }

  error(problem: string): ConfigError {
    return new ConfigError(this.file, this.path, problem);
  }

  /** `fallback` when absent, otherwise `read(this)`. */
  optional<T>(read: (node: YamlNode) => T, fallback: T): T {
    return this.isAbsent ? fallback : read(this);
  }

  mapping(): YamlMapping {
    if (!isMapping(this.value)) throw this.error(`expected a mapping, got ${describeValue(this.value)}`);
    return this.value;
  }

  keys(): string[] {
    return Object.keys(this.mapping());
  }

  field(key: string): YamlNode {
    const mapping = this.mapping();
    return new YamlNode(Object.hasOwn(mapping, key) ? mapping[key] : undefined, this.file, joinKeyPath(this.path, key));
  }

  /** `context` narrows the message when the allowed keys depend on something, e.g. `with type embedded`. */
  rejectUnknownKeys(allowed: readonly string[], context?: string): void {
    const allowedText = context === undefined ? 'allowed' : `allowed ${context}`;
    for (const key of this.keys()) {
      if (!allowed.includes(key)) throw this.field(key).error(`unknown key (${allowedText}: ${allowed.join(', ')})`);
    }
  }

  items(): YamlNode[] {
    if (!Array.isArray(this.value)) throw this.error(`expected a list, got ${describeValue(this.value)}`);
    return this.value.map((item, index) => new YamlNode(item, this.file, `${this.path}[${index}]`));
  }

  string(): string {
    if (typeof this.value !== 'string') throw this.error(`expected a string, got ${describeValue(this.value)}`);
    return this.value;
  }

  nonEmptyString(): string {
    const text = this.string();
    if (text.trim() === '') throw this.error('must not be empty');
    return text;
  }

  integer(min: number, max: number): number {
    const value = this.value;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw this.error(`expected an integer, got ${describeValue(value)}`);
    }
    if (value < min || value > max) throw this.error(`${value} is out of range (${min}..${max})`);
    return value;
  }

  /** Milliseconds. Numbers are refused as Go refused them: the unit must be written. */
  duration(): number {
    if (typeof this.value === 'number') {
      throw this.error(`expected a duration string, got number ${this.value}; write it with a unit, e.g. "10s"`);
    }
    if (typeof this.value !== 'string') {
      throw this.error(`expected a duration string such as "10s", got ${describeValue(this.value)}`);
    }
    try {
      return parseDuration(this.value);
    } catch (error) {
      throw this.error((error as Error).message);
    }
  }

  /** Bytes, from an integer or a size string such as `16MiB`. */
  byteSize(): number {
    if (typeof this.value === 'number') return this.integer(0, Number.MAX_SAFE_INTEGER);
    if (typeof this.value !== 'string') {
      throw this.error(`expected a size (bytes or a string such as "16MiB"), got ${describeValue(this.value)}`);
    }
    try {
      return parseByteSize(this.value);
    } catch (error) {
      throw this.error((error as Error).message);
    }
  }
}

export function isMapping(value: unknown): value is YamlMapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How a value reads in a message: its YAML kind, and the value itself when it is a scalar. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

// Plain keys read as `a.b`; anything else (label names with dots, spaces) is quoted: `a["x.y"]`.
function joinKeyPath(path: string, key: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}
