import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, register, type Metric } from 'prom-client';
import type { AggregateState } from '../projector/aggregate-rules.js';

// The Go server's metric names and labels, so existing alert rules keep working.
// Metrics live in prom-client's default registry (the one /metrics serves); an app started
// twice in one process (tests) reuses them instead of registering twice.
function metric<T extends Metric>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

@Injectable()
export class PeriskopMetrics {
  /** The aggregate's total from the read model: a gauge, so it survives restarts and replays. */
  readonly errorOccurrences = metric(
    'periskop_error_occurrences',
    () =>
      new Gauge({
        name: 'periskop_error_occurrences',
        help: 'Occurrences of an aggregated error across all instances of a service (total from the read model).',
        labelNames: ['service_name', 'severity', 'aggregation_key'],
      }),
  );
  readonly instancesScrapped = metric(
    'periskop_instances_scrapped',
    () => new Gauge({ name: 'periskop_instances_scrapped', help: 'Number of instances scrapped.', labelNames: ['service_name'] }),
  );
  readonly errorsScrapped = metric(
    'periskop_errors_scrapped_total',
    () =>
      new Counter({ name: 'periskop_errors_scrapped_total', help: 'Total number of errors scrapped.', labelNames: ['service_name'] }),
  );
  readonly applicationErrors = metric(
    'periskop_application_errors_total',
    () =>
      new Counter({ name: 'periskop_application_errors_total', help: 'Total number of errors in the Periskop service.', labelNames: ['type'] }),
  );
  readonly targetUp = metric(
    'periskop_target_up',
    () =>
      new Gauge({ name: 'periskop_target_up', help: '1 if the last scrape of the target succeeded.', labelNames: ['service_name', 'target'] }),
  );
  readonly scrapeDuration = metric(
    'periskop_scrape_duration_seconds',
    () =>
      new Histogram({
        name: 'periskop_scrape_duration_seconds',
        help: 'Duration of one target scrape.',
        labelNames: ['service_name'],
        buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      }),
  );

  setAggregates(aggregates: AggregateState[]): void {
    for (const a of aggregates) {
      const labels = { service_name: a.service, aggregation_key: a.aggregationKey };
      // Severity is a label: drop the series of the other severities when it changes.
      for (const severity of ['info', 'warning', 'error'] as const) {
        if (severity !== a.severity) this.errorOccurrences.remove({ ...labels, severity });
      }
      this.errorOccurrences.set({ ...labels, severity: a.severity }, a.totalCount);
    }
  }

  reset(): void {
    this.errorOccurrences.reset();
    this.instancesScrapped.reset();
    this.targetUp.reset();
  }
}
