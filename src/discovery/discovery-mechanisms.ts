import type { ServiceConfig } from '../config/config.types.js';
import { StaticDiscovery } from './static-discovery.js';
import type { DiscoveryMechanism } from './target-group.js';

/** The mechanisms a service's configuration asks for. */
export function discoveryMechanisms(service: ServiceConfig): DiscoveryMechanism[] {
  return service.staticConfigs.length > 0 ? [new StaticDiscovery(service.staticConfigs)] : [];
}
