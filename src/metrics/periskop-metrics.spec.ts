import { register } from 'prom-client';
import type { AggregateState } from '../projector/aggregate-rules.js';
import { PeriskopMetrics } from './periskop-metrics.js';

function aggregate(key: string, totalCount: number, severity: AggregateState['severity'] = 'error'): AggregateState {
  return {
    service: 'svc',
    aggregationKey: key,
    severity,
    totalCount,
    createdAt: 0,
    lastSeen: null,
    resolvedAt: null,
    resolvedCount: null,
    reopenedAt: null,
    latestErrors: [],
  };
}

describe('PeriskopMetrics', () => {
  let metrics: PeriskopMetrics;

  beforeEach(() => {
    metrics = new PeriskopMetrics();
    metrics.reset();
    metrics.droppedSeries.reset();
  });

  it('exports the aggregate total under its severity only', async () => {
    metrics.setAggregates([aggregate('k', 3, 'warning')]);
    metrics.setAggregates([aggregate('k', 5, 'error')]);
    const text = await register.getSingleMetricAsString('periskop_error_occurrences');
    expect(text).toContain('periskop_error_occurrences{service_name="svc",aggregation_key="k",severity="error"} 5');
    expect(text).not.toContain('severity="warning"');
  });

  it('stops adding series at the cap and counts what it dropped', async () => {
    metrics.keysPerService = 2;
    metrics.setAggregates([aggregate('a', 1), aggregate('b', 1), aggregate('c', 1)]);
    metrics.setAggregates([aggregate('a', 2), aggregate('d', 1)]);
    const text = await register.getSingleMetricAsString('periskop_error_occurrences');
    expect(text).toContain('aggregation_key="a",severity="error"} 2');
    expect(text).toContain('aggregation_key="b"');
    expect(text).not.toContain('aggregation_key="c"');
    expect(await register.getSingleMetricAsString('periskop_metrics_dropped_series_total')).toContain(
      'periskop_metrics_dropped_series_total{service_name="svc"} 2',
    );
  });
});
