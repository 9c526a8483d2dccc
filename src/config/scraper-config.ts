// A service's `scraper` block: the Go keys (endpoint, refresh_interval) plus the optional
// timeout and body_limit.

import type { ScraperConfig } from './config.types.js';
import { YamlNode } from './yaml-node.js';

export const DEFAULT_ENDPOINT = '/errors';
export const DEFAULT_REFRESH_INTERVAL_MS = 10_000;
/** A scrape never waits longer than this unless `timeout` says so. */
export const MAX_DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_BODY_LIMIT_BYTES = 16 * 2 ** 20;

const SCRAPER_KEYS = ['endpoint', 'refresh_interval', 'timeout', 'body_limit'] as const;

export function parseScraperConfig(node: YamlNode): ScraperConfig {
  // No `scraper` block at all means every default.
  const scraper = node.isAbsent ? new YamlNode({}, node.file, node.path) : node;
  scraper.rejectUnknownKeys(SCRAPER_KEYS);
  const field = (key: string): YamlNode => scraper.field(key);
  const refreshIntervalMs = field('refresh_interval').optional(positiveDuration, DEFAULT_REFRESH_INTERVAL_MS);
  return {
    endpoint: field('endpoint').optional(parseEndpoint, DEFAULT_ENDPOINT),
    refreshIntervalMs,
    // A scrape that outlives its interval would overlap the next one.
    timeoutMs: field('timeout').optional(positiveDuration, Math.min(refreshIntervalMs, MAX_DEFAULT_TIMEOUT_MS)),
    bodyLimitBytes: field('body_limit').optional(positiveByteSize, DEFAULT_BODY_LIMIT_BYTES),
  };
}

// The Go server built the URL as "http://" + target + endpoint, so a missing slash would
// glue the path onto the port.
function parseEndpoint(node: YamlNode): string {
  const endpoint = node.string();
  if (!endpoint.startsWith('/')) throw node.error(`${JSON.stringify(endpoint)} must start with "/" (e.g. "/errors")`);
  return endpoint;
}

function positiveDuration(node: YamlNode): number {
  const ms = node.duration();
  if (ms <= 0) throw node.error('must be greater than 0');
  return ms;
}

function positiveByteSize(node: YamlNode): number {
  const bytes = node.byteSize();
  if (bytes <= 0) throw node.error('must be greater than 0');
  return bytes;
}
