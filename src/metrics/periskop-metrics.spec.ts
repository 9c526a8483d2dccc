import { register } from 'prom-client';
import type { AggregateState } from '../projector/aggregate-rules.js';
import type { BreakdownCount } from '../projector/breakdown.js';
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

  describe('with server.metrics_breakdown_label', () => {
    const counted = (value: string, count: number, label = 'version'): BreakdownCount => ({
      service: 'svc',
      aggregationKey: 'k',
      label,
      value,
      count,
      firstSeen: 0,
    });

    afterEach(() => metrics.useBreakdownLabel(null));

    it('is off by default: one series per error, breakdowns ignored', async () => {
      metrics.setAggregates([aggregate('k', 5)], [counted('1.0', 5)]);
      const text = await register.getSingleMetricAsString('periskop_error_occurrences');
      expect(text).toContain('periskop_error_occurrences{service_name="svc",aggregation_key="k",severity="error"} 5');
      expect(text).not.toContain('version=');
    });

    it.each<[string, BreakdownCount[], string[], string[]]>([
      [
        'one series per value, the rest without the label',
        [counted('1.0', 3), counted('2.0', 1), counted('eu', 9, 'zone')],
        ['severity="error",version="1.0"} 3', 'severity="error",version="2.0"} 1', 'severity="error"} 1'],
        ['zone='],
      ],
      ['no series without the label when the values account for all', [counted('1.0', 5)], ['version="1.0"} 5'], ['severity="error"} ']],
      ['the plain series when the error has no value', [], ['severity="error"} 5'], ['version=']],
    ])('%s', async (_name, breakdowns, present, absent) => {
      metrics.useBreakdownLabel('version');
      metrics.setAggregates([aggregate('k', 5)], breakdowns);
      const text = await register.getSingleMetricAsString('periskop_error_occurrences');
      for (const p of present) expect(text).toContain(p);
      for (const a of absent) expect(text).not.toContain(a);
    });

    it('keeps values from earlier batches and moves them when the severity changes', async () => {
      metrics.useBreakdownLabel('version');
      metrics.setAggregates([aggregate('k', 2, 'warning')], [counted('1.0', 2)]);
      metrics.setAggregates([aggregate('k', 3, 'error')], [counted('2.0', 1)]);
      const text = await register.getSingleMetricAsString('periskop_error_occurrences');
      expect(text).toContain('severity="error",version="1.0"} 2');
      expect(text).toContain('severity="error",version="2.0"} 1');
      expect(text).not.toContain('warning');
    });
  });
});
