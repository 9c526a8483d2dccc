// `services`: what to scrape. Go keys (name, static_configs, scraper, Prometheus discovery)
// plus the optional additions beside them (breakdown_labels, push).

import type { ServiceConfig } from './config.types.js';
import {
  DISCOVERY_KEYS,
  SUPPORTED_DISCOVERY_KEYS,
  UNSUPPORTED_DISCOVERY_KEYS,
} from './discovery-keys.js';
import { parseRelabelConfigs } from './relabel-config.js';
import { parseScraperConfig } from './scraper-config.js';
import { boolean, parseConsulSdConfig, parseDnsSdConfig, parseFileSdConfig, parseHttpSdConfig, parseKubernetesSdConfig } from './sd-config.js';
import { parseLabelName, parseStaticConfig } from './static-config.js';
import type { YamlNode } from './yaml-node.js';

const SERVICE_KEYS = [
  'name',
  'static_configs',
  ...DISCOVERY_KEYS,
  'scraper',
  'breakdown_labels',
  'push',
  'drop_request_bodies',
] as const;

export function parseServicesConfig(node: YamlNode): ServiceConfig[] {
  if (node.isAbsent) throw node.error('required: the list of services to scrape (may be empty: `services: []`)');
  const services = node.items().map(parseServiceConfig);
  rejectDuplicateNames(node, services);
  return services;
}

export function parseServiceConfig(node: YamlNode): ServiceConfig {
  rejectUnsupportedDiscovery(node);
  node.rejectUnknownKeys(SERVICE_KEYS);
  const nameNode = node.field('name');
  if (nameNode.isAbsent) throw nameNode.error('required: the service name');
  const name = nameNode.nonEmptyString();
  const breakdownLabels = node.field('breakdown_labels').optional((n) => n.items().map(parseBreakdownLabel), []);
  const push = node.field('push').optional(parsePushConfig, undefined);
  const dropRequestBodies = node.field('drop_request_bodies').optional(boolean, false);
  // The optional discovery fields are present only when the file has entries.
  const fileSdConfigs = node.field('file_sd_configs').optional((n) => n.items().map(parseFileSdConfig), []);
  const httpSdConfigs = node.field('http_sd_configs').optional((n) => n.items().map(parseHttpSdConfig), []);
  const dnsSdConfigs = node.field('dns_sd_configs').optional((n) => n.items().map(parseDnsSdConfig), []);
  const kubernetesSdConfigs = node.field('kubernetes_sd_configs').optional((n) => n.items().map(parseKubernetesSdConfig), []);
  const consulSdConfigs = node.field('consul_sd_configs').optional((n) => n.items().map(parseConsulSdConfig), []);
  const relabelConfigs = node.field('relabel_configs').optional(parseRelabelConfigs, []);
  return {
    name,
    ...(push ? { push } : {}),
    ...(dropRequestBodies ? { dropRequestBodies } : {}),
    ...(breakdownLabels.length > 0 ? { breakdownLabels } : {}),
    staticConfigs: node.field('static_configs').optional((n) => n.items().map(parseStaticConfig), []),
    ...(fileSdConfigs.length > 0 ? { fileSdConfigs } : {}),
    ...(httpSdConfigs.length > 0 ? { httpSdConfigs } : {}),
    ...(dnsSdConfigs.length > 0 ? { dnsSdConfigs } : {}),
    ...(kubernetesSdConfigs.length > 0 ? { kubernetesSdConfigs } : {}),
    ...(consulSdConfigs.length > 0 ? { consulSdConfigs } : {}),
    ...(relabelConfigs.length > 0 ? { relabelConfigs } : {}),
    scraper: parseScraperConfig(node.field('scraper')),
  };
}

function rejectUnsupportedDiscovery(node: YamlNode): void {
  for (const key of node.keys()) {
    if (UNSUPPORTED_DISCOVERY_KEYS.includes(key)) {
      throw node.field(key).error(`not supported: ${key} (supported: ${SUPPORTED_DISCOVERY_KEYS.join(', ')})`);
    }
  }
}

/** Labels starting with `__` are dropped after relabeling, so no target ever keeps one. */
function parseBreakdownLabel(node: YamlNode): string {
  const name = parseLabelName(node);
  if (name.startsWith('__')) throw node.error(`${JSON.stringify(name)} starts with __: such labels are dropped after relabeling, no target keeps one`);
  return name;
}

function parsePushConfig(node: YamlNode): { token: string } {
  node.rejectUnknownKeys(['token']);
  const tokenNode = node.field('token');
  if (tokenNode.isAbsent) throw tokenNode.error('required: the token push clients send');
  return { token: tokenNode.nonEmptyString() };
}

// Names identify services in the API and in event subjects, so two services may not share one.
function rejectDuplicateNames(node: YamlNode, services: readonly ServiceConfig[]): void {
  const firstIndexByName = new Map<string, number>();
  services.forEach((service, index) => {
    const firstIndex = firstIndexByName.get(service.name);
    if (firstIndex !== undefined) {
      const nameNode = node.items()[index]!.field('name');
      throw nameNode.error(`duplicate service name ${JSON.stringify(service.name)}, already used by services[${firstIndex}]`);
    }
    firstIndexByName.set(service.name, index);
  });
}
