import type { PeriskopEvent, ReportedError, SnapshotScraped } from '../events/events.js';
import { firstSeenInReport } from './aggregate-rules.js';
import type { TargetState } from './projection.js';
import type { ProjectionOptions } from './projection-options.js';

// Breakdown by target labels: each delta a scraped snapshot brings is also counted under the
// value its target carries for each of the service's `breakdown_labels` (the target's final
// labels after discovery and relabeling, as the last TargetsDiscovered recorded them).
// Pushed snapshots have no target, and a target without the label has no value for it:
// neither is counted in the breakdown (the aggregate's total still counts them), so the
// values of a label may add up to less than total_count.
// Which labels a service breaks down by comes from the config, not from the log: replaying
// the log after adding breakdown_labels builds the breakdown of the whole history.



export interface BreakdownCount {
  service: string;
  aggregationKey: string;
  label: string;
  value: string;
  count: number;
  /** Epoch ms of the earliest occurrence counted under this value. */
  firstSeen: number;
}

export function breakdownId(service: string, key: string, label: string, value: string): string {
  return JSON.stringify([service, key, label, value]);
}

/** The label values a snapshot's delta counts under: [label, value] pairs, empty when none apply. */
export function breakdownValues(
  labelNames: readonly string[] | undefined,
  event: SnapshotScraped,
  target: TargetState | undefined,
): [string, string][] {
  if (!labelNames || event.data.source !== 'scrape' || !target) return [];
  const values: [string, string][] = [];
  for (const label of labelNames) {
    const value = target.labels[label];
    if (value !== undefined) values.push([label, value]);
  }
  return values;
}

/** Adds `delta` to the count under one label value; `current` is never changed. */
export function countUnderValue(
  current: BreakdownCount | undefined,
  service: string,
  report: ReportedError,
  label: string,
  value: string,
  delta: number,
  at: number,
): BreakdownCount {
  const firstSeen = firstSeenInReport(report, at);
  if (!current) return { service, aggregationKey: report.aggregation_key, label, value, count: delta, firstSeen };
  return { ...current, count: current.count + delta, firstSeen: Math.min(current.firstSeen, firstSeen) };
}

/** The errors whose breakdown a batch may change (all their values are loaded: which one a target carries is known only at apply time). */
export function breakdownAggregatesNeeded(events: readonly PeriskopEvent[], options: ProjectionOptions): { service: string; key: string }[] {
  const needed: { service: string; key: string }[] = [];
  for (const event of events) {
    if (event.type !== 'SnapshotScraped' || event.data.source !== 'scrape' || !options.breakdownLabels.get(event.service)?.length) continue;
    for (const report of event.data.aggregated_errors) needed.push({ service: event.service, key: report.aggregation_key });
  }
  return needed;
}
