// The public surface of the configuration module.

export * from './config.types.js';
export { ConfigError, type ConfigErrorOptions } from './config-error.js';
export { parseDuration } from './duration.js';
export { parseByteSize } from './byte-size.js';
export { parsePortNumber } from './port-number.js';
export { loadConfig, parseConfig, parseConfigText } from './load-config.js';
export { applyEnvironmentOverrides } from './environment-overrides.js';
