// Reading the configuration: file → YAML → validated PeriskopConfig → environment overrides.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as yaml from 'js-yaml';
import { ConfigError } from './config-error.js';
import type { PeriskopConfig } from './config.types.js';
import { applyEnvironmentOverrides } from './environment-overrides.js';
import { parseClusterConfig } from './cluster-config.js';
import { parseEventsConfig } from './events-config.js';
import { parseRepositoryConfig } from './repository-config.js';
import { parseServerConfig } from './server-config.js';
import { parseServicesConfig } from './service-config.js';
import { YamlNode } from './yaml-node.js';

const TOP_LEVEL_KEYS = ['repository', 'services', 'events', 'server', 'cluster'] as const;

// @types/js-yaml does not declare the runtime `types` export that holds the merge type.
const { merge } = (yaml as unknown as { types: { merge: yaml.Type } }).types;

// The core schema plus merge keys (`<<: *defaults`, which the Go server's yaml.v2 read).
// js-yaml's default schema would also turn unquoted dates into Date objects, where Go
// kept the text.
const CONFIG_SCHEMA = yaml.CORE_SCHEMA.extend({ implicit: [merge] });

/** Reads, parses and validates `file`, then applies `PORT` from `env`. Throws ConfigError. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): PeriskopConfig {
  return applyEnvironmentOverrides(parseConfigText(readConfigText(file), file), env);
}

/** YAML text → config; `file` is only used in messages and `PeriskopConfig.file`. */
export function parseConfigText(text: string, file: string): PeriskopConfig {
  return parseConfig(parseYaml(text, file), file);
}

/** Validates an already parsed YAML document. Pure apart from resolving `file` to absolute. */
export function parseConfig(raw: unknown, file: string): PeriskopConfig {
  // An empty file parses to undefined; read it as an empty mapping so the message names the
  // missing `services` rather than the document's type.
  const root = new YamlNode(raw ?? {}, file, '');
  root.rejectUnknownKeys(TOP_LEVEL_KEYS);
  const events = parseEventsConfig(root.field('events'));
  return {
    file: path.resolve(file),
    repository: parseRepositoryConfig(root.field('repository')),
    events,
    server: parseServerConfig(root.field('server')),
    services: parseServicesConfig(root.field('services')),
    cluster: parseClusterConfig(root.field('cluster'), events),
  };
}

function readConfigText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT'
        ? 'file not found (give another with --config or CONFIG_FILE)'
        : code === 'EISDIR'
          ? 'is a directory, expected a YAML file'
          : `cannot read: ${(error as Error).message}`;
    throw new ConfigError(file, '', problem, { cause: error });
  }
}

function parseYaml(text: string, file: string): unknown {
  try {
    return yaml.load(text, { filename: file, schema: CONFIG_SCHEMA });
  } catch (error) {
    if (!(error instanceof yaml.YAMLException)) throw error;
    const line = error.mark.line + 1; // js-yaml counts from 0
    const column = error.mark.column + 1;
    throw new ConfigError(file, '', `line ${line}, column ${column}: YAML syntax error: ${error.reason}`, {
      line,
      cause: error,
    });
  }
}
