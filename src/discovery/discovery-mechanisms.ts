import type { ServiceConfig } from '../config/config.types.js';
import { ConsulDiscovery } from './consul-discovery.js';
import { DnsDiscovery } from './dns-discovery.js';
import { FileDiscovery } from './file-discovery.js';
import { HttpDiscovery } from './http-discovery.js';
import { KubernetesDiscovery } from './kubernetes-discovery.js';
import { StaticDiscovery } from './static-discovery.js';
import type { DiscoveryMechanism } from './target-group.js';

/** The mechanisms a service's configuration asks for; each entry of a *_sd_configs list is one mechanism. */
export function discoveryMechanisms(service: ServiceConfig): DiscoveryMechanism[] {
  return [
    ...(service.staticConfigs.length > 0 ? [new StaticDiscovery(service.staticConfigs)] : []),
    ...(service.fileSdConfigs ?? []).map((config, i) => new FileDiscovery(config, i, service.name)),
    ...(service.httpSdConfigs ?? []).map((config, i) => new HttpDiscovery(config, i, service.name)),
    ...(service.dnsSdConfigs ?? []).map((config, i) => new DnsDiscovery(config, i, service.name)),
    ...(service.kubernetesSdConfigs ?? []).map((config, i) => new KubernetesDiscovery(config, i, service.name)),
    ...(service.consulSdConfigs ?? []).map((config, i) => new ConsulDiscovery(config, i, service.name)),
  ];
}
