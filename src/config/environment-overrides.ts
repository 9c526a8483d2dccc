// Environment variables that override the file, as the Go server read them. Kept apart from
// parseConfig so parsing stays a pure function of the file.

import { ConfigError } from './config-error.js';
import type { PeriskopConfig } from './config.types.js';
import { parsePortNumber } from './port-number.js';

/** Where ConfigErrors about variables say they come from. */
export const ENVIRONMENT_SOURCE = 'environment';

export function applyEnvironmentOverrides(config: PeriskopConfig, env: NodeJS.ProcessEnv): PeriskopConfig {
  const port = env['PORT'];
  // An empty PORT is how shells and compose files leave it unset.
  if (port === undefined || port === '') return config;
  try {
    return { ...config, server: { ...config.server, port: parsePortNumber(port) } };
  } catch (error) {
    throw new ConfigError(ENVIRONMENT_SOURCE, 'PORT', (error as Error).message);
  }
}
