import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ApiModule } from './api/api.module.js';
import { AppLifecycle } from './app-lifecycle.js';
import { CLOCK, systemClock, type Clock } from './clock/clock.js';
import { ClusterModule } from './cluster/cluster.module.js';
import { CollectorModule } from './collector/collector.module.js';
import { PERISKOP_CONFIG, type PeriskopConfig } from './config/config.types.js';
import { DiscoveryModule } from './discovery/discovery.module.js';
import { EventsModule } from './events/events.module.js';
import { HistoryModule } from './history/history.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { ProjectorModule } from './projector/projector.module.js';
import { PushModule } from './push/push.module.js';
import { ReadModelModule } from './read-model/read-model.module.js';
import { ScraperModule } from './scraper/scraper.module.js';
import { SecurityModule } from './security/index.js';

@Global()
@Module({})
class SettingsModule {
  static of(config: PeriskopConfig, clock: Clock): DynamicModule {
    return {
      module: SettingsModule,
      providers: [
        { provide: PERISKOP_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
      ],
      exports: [PERISKOP_CONFIG, CLOCK],
    };
  }
}

@Module({})
export class AppModule {
  static forConfig(config: PeriskopConfig, clock: Clock = systemClock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SettingsModule.of(config, clock),
        EventsModule.forConfig(config.events),
        ReadModelModule.forConfig(config.repository),
        ProjectorModule,
        ClusterModule.forConfig(config),
        HistoryModule.forConfig(config.events),
        MetricsModule,
        DiscoveryModule,
        ScraperModule,
        CollectorModule,
        ApiModule,
        PushModule,
        SecurityModule,
      ],
      providers: [AppLifecycle],
    };
  }
}
