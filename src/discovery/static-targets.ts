import type { ServiceConfig } from '../config/config.types.js';
import type { DiscoveredTarget } from '../events/events.js';

/**
 * Targets of a service's static_configs. A target is host:port (as in Prometheus and the Go
 * server, scraped over http) or a full URL; the scraper endpoint is appended to host:port.
 */
export function staticTargets(service: ServiceConfig): DiscoveredTarget[] {
  const seen = new Map<string, DiscoveredTarget>();
  for (const group of service.staticConfigs) {
    for (const target of group.targets) {
      const url = /^https?:\/\//i.test(target) ? target : `http://${target}${service.scraper.endpoint}`;
      const address = /^https?:\/\//i.test(target) ? new URL(target).host : target;
      if (!seen.has(url)) seen.set(url, { address, url, labels: { ...group.labels } });
    }
  }
  return [...seen.values()];
}
