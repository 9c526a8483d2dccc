import type { StaticConfig } from '../config/config.types.js';
import type { DiscoveryMechanism, TargetGroup } from './target-group.js';

/** static_configs: the groups are the configuration; reported once. */
export class StaticDiscovery implements DiscoveryMechanism {
  readonly name = 'static_configs';

  constructor(private readonly configs: StaticConfig[]) {}

  start(report: (groups: TargetGroup[]) => void): void {
    report(this.configs.map((c, i) => ({ source: `static_configs[${i}]`, targets: c.targets, labels: { ...c.labels } })));
  }

  async stop(): Promise<void> {}
}
