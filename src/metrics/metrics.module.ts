import { Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { PeriskopMetrics } from './periskop-metrics.js';

@Module({
  imports: [PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: true } })],
  providers: [PeriskopMetrics],
  exports: [PeriskopMetrics],
})
export class MetricsModule {}
