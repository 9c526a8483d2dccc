import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module.js';
import { TargetDirectory } from './target-directory.js';

@Module({ imports: [MetricsModule], providers: [TargetDirectory], exports: [TargetDirectory] })
export class DiscoveryModule {}
