import { Module } from '@nestjs/common';
import { DiscoveryModule } from '../discovery/discovery.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { Scraper } from './scraper.js';
import { TargetHealth } from './target-health.js';

@Module({
  imports: [DiscoveryModule, MetricsModule],
  providers: [Scraper, TargetHealth],
  exports: [Scraper, TargetHealth],
})
export class ScraperModule {}
