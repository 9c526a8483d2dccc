import type { ScraperConfig } from '../config/config.types.js';
import type { DiscoveredTarget } from '../events/events.js';
import type { TargetGroup } from './target-group.js';

/** Relabeling (Prometheus relabel_configs): the labels to keep, or null to drop the target. */
export type Relabel = (labels: Record<string, string>) => Record<string, string> | null;

export const keepLabels: Relabel = (labels) => labels;

/**
 * Turns discovered groups into the targets to scrape, as Prometheus does: each target starts
 * with `__address__`, `__scheme__`, `__metrics_path__` and its group's labels, goes through
 * relabeling, and ends as a URL plus its labels without the `__` ones. A target written as a
 * full URL (allowed by static_configs here) sets scheme, address and path itself.
 */
export function finalTargets(groups: TargetGroup[], scraper: ScraperConfig, relabel: Relabel = keepLabels): DiscoveredTarget[] {
  const byUrl = new Map<string, DiscoveredTarget>();
  for (const group of groups) {
    for (const target of group.targets) {
      const labels = relabel({ ...group.labels, ...initialLabels(target, scraper.endpoint) });
      if (!labels || !labels.__address__) continue;
      const url = targetUrl(labels);
      if (byUrl.has(url)) continue;
      byUrl.set(url, { address: labels.__address__, url, labels: publicLabels(labels) });
    }
  }
  return [...byUrl.values()];
}

function initialLabels(target: string, endpoint: string): Record<string, string> {
  if (/^https?:\/\//i.test(target)) {
    const url = new URL(target);
    const params: Record<string, string> = {};
    for (const [key, value] of url.searchParams) params[`__param_${key}`] = value;
    return { __address__: url.host, __scheme__: url.protocol.slice(0, -1), __metrics_path__: url.pathname, ...params };
  }
  return { __address__: target, __scheme__: 'http', __metrics_path__: endpoint };
}

function targetUrl(labels: Record<string, string>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(labels)) if (key.startsWith('__param_')) params.append(key.slice('__param_'.length), value);
  const query = params.size > 0 ? `?${params}` : '';
  const path = labels.__metrics_path__ || '/';
  return `${labels.__scheme__ || 'http'}://${labels.__address__}${path.startsWith('/') ? path : `/${path}`}${query}`;
}

function publicLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([key]) => !key.startsWith('__')));
}
