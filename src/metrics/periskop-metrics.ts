import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, register, type Metric } from 'prom-client';
import type { AggregateTotal } from '../projector/aggregate-rules.js';
import type { BreakdownCount } from '../projector/breakdown.js';

// The Go server's metric names and labels, so existing alert rules keep working.
// Metrics live in prom-client's default registry (the one /metrics serves); an app started
// twice in one process (tests) reuses them instead of registering twice.
// One lag source per process (the metric itself is process-wide, see `metric`).
const lagSource: { current: (() => Promise<number>) | null } = { current: null };

function metric<T extends Metric>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

function errorOccurrencesGauge(breakdownLabel: string | null): Gauge {
  return new Gauge({
    name: 'periskop_error_occurrences',
    help: 'Occurrences of an aggregated error across all instances of a service (total from the read model).',
    labelNames: ['service_name', 'severity', 'aggregation_key', ...(breakdownLabel ? [breakdownLabel] : [])],
  });
}

@Injectable()
export class PeriskopMetrics {
  /** Cap of aggregation keys exported per service; set from the config at start. */
  keysPerService = 1000;
  private readonly exportedKeys = new Map<string, Set<string>>();

  /** The aggregate's total from the read model: a gauge, so it survives restarts and replays. */
  errorOccurrences = metric('periskop_error_occurrences', () => errorOccurrencesGauge(null));
  /** server.metrics_breakdown_label: null keeps one series per error (the Go metric). */
  private breakdownLabel: string | null = null;
  /** Counts per value of breakdownLabel, by aggregateKeyId: what the per-value series hold. */
  private readonly breakdownValues = new Map<string, Map<string, number>>();
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

  readonly droppedSeries = metric(
    'periskop_metrics_dropped_series_total',
    () =>
      new Counter({
        name: 'periskop_metrics_dropped_series_total',
        help: 'Aggregation keys not exported as periskop_error_occurrences because the service reached server.metrics_keys_per_service.',
        labelNames: ['service_name'],
      }),
  );
  readonly snapshotBytes = metric(
    'periskop_snapshot_bytes',
    () =>
      new Histogram({
        name: 'periskop_snapshot_bytes',
        help: 'Size of the scraped /errors answers.',
        labelNames: ['service_name'],
        buckets: [1e3, 1e4, 1e5, 1e6, 4e6, 16e6],
      }),
  );
  readonly eventsPublished = metric(
    'periskop_events_published_total',
    () => new Counter({ name: 'periskop_events_published_total', help: 'Events recorded in the event log.', labelNames: ['type'] }),
  );
  readonly eventsFailed = metric(
    'periskop_events_publish_failed_total',
    () => new Counter({ name: 'periskop_events_publish_failed_total', help: 'Events the event log did not accept.', labelNames: ['type'] }),
  );
  readonly projectorCheckpoint = metric(
    'periskop_projector_checkpoint',
    () =>
      new Gauge({
        name: 'periskop_projector_checkpoint',
        help: 'Sequence of the last event applied to the read model (per partition when the stream is projected per partition).',
        labelNames: ['partition'],
      }),
  );
  readonly projectorLag = metric(
    'periskop_projector_lag_events',
    () =>
      new Gauge({
        name: 'periskop_projector_lag_events',
        help: 'Events in the log not yet applied to the read model (head minus checkpoint).',
        async collect() {
          const source = lagSource.current;
          if (source) this.set(await source().catch(() => NaN));
        },
      }),
  );
  readonly projectorBatchDuration = metric(
    'periskop_projector_batch_duration_seconds',
    () =>
      new Histogram({
        name: 'periskop_projector_batch_duration_seconds',
        help: 'Time to load, apply and commit one batch of events.',
        buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      }),
  );
  readonly scrapeFailures = metric(
    'periskop_scrape_failures_total',
    () =>
      new Counter({
        name: 'periskop_scrape_failures_total',
        help: 'Failed scrapes by reason (timeout, refused, connect, http_status, invalid_json, invalid_shape, too_large).',
        labelNames: ['service_name', 'reason'],
      }),
  );
  readonly discoveryFailures = metric(
    'periskop_discovery_failures_total',
    () =>
      new Counter({
        name: 'periskop_discovery_failures_total',
        help: 'Failed lookups of a discovery mechanism (its last known targets are kept).',
        labelNames: ['service_name', 'mechanism'],
      }),
  );
  readonly buildInfo = metric(
    'periskop_build_info',
    () => new Gauge({ name: 'periskop_build_info', help: 'Version of this Periskop.', labelNames: ['version', 'nodejs'] }),
  );

  /** Where periskop_projector_lag_events reads the lag when Prometheus scrapes. */
  measureLagWith(source: () => Promise<number>): void {
    lagSource.current = source;
  }

  /**
   * Splits periskop_error_occurrences by a target label (off by default: one series per value
   * multiplies the series). The gauge is registered anew with the label among its names.
   */
  useBreakdownLabel(label: string | null): void {
    if (label === this.breakdownLabel) return;
    this.breakdownLabel = label;
    register.removeSingleMetric('periskop_error_occurrences');
    this.errorOccurrences = errorOccurrencesGauge(label);
  }

  /**
   * Sets the series of these aggregates. With a breakdown label, `breakdowns` (counts under it)
   * give one series per value, and what no value accounts for (pushes, targets without the
   * label) stays on the series without it: the series of an error still add up to its total.
   */
  setAggregates(aggregates: AggregateTotal[], breakdowns: readonly BreakdownCount[] = []): void {
    const label = this.breakdownLabel;
    if (label !== null) {
      for (const b of breakdowns) {
        if (b.label !== label) continue;
        const id = JSON.stringify([b.service, b.aggregationKey]);
        let values = this.breakdownValues.get(id);
        if (!values) this.breakdownValues.set(id, (values = new Map()));
        values.set(b.value, b.count);
      }
    }
    for (const a of aggregates) {
      if (!this.admit(a.service, a.aggregationKey)) continue;
      const labels = { service_name: a.service, aggregation_key: a.aggregationKey };
      const values = label === null ? undefined : this.breakdownValues.get(JSON.stringify([a.service, a.aggregationKey]));
      // Severity is a label: drop the series of the other severities when it changes.
      for (const severity of ['info', 'warning', 'error'] as const) {
        if (severity === a.severity) continue;
        this.errorOccurrences.remove({ ...labels, severity });
        for (const value of values?.keys() ?? []) this.errorOccurrences.remove({ ...labels, severity, [label!]: value });
      }
      let rest = a.totalCount;
      for (const [value, count] of values ?? []) {
        this.errorOccurrences.set({ ...labels, severity: a.severity, [label!]: value }, count);
        rest -= count;
      }
      if (rest > 0 || !values) this.errorOccurrences.set({ ...labels, severity: a.severity }, Math.max(rest, 0));
      else this.errorOccurrences.remove({ ...labels, severity: a.severity });
    }
  }

  private admit(service: string, key: string): boolean {
    let keys = this.exportedKeys.get(service);
    if (!keys) this.exportedKeys.set(service, (keys = new Set()));
    if (keys.has(key)) return true;
    if (keys.size >= this.keysPerService) {
      this.droppedSeries.inc({ service_name: service });
      return false;
    }
    keys.add(key);
    return true;
  }

  reset(): void {
    this.exportedKeys.clear();
    this.breakdownValues.clear();
    this.errorOccurrences.reset();
    this.instancesScrapped.reset();
    this.targetUp.reset();
  }
}
