/**
 * Prometheus' unit of discovery: targets (host:port) sharing labels. Mechanisms add their
 * `__meta_*` labels here; relabeling turns groups into the final targets.
 */
export interface TargetGroup {
  /** Identifies the group within its mechanism (a file name, a DNS name, a pod…). */
  source: string;
  targets: string[];
  labels: Record<string, string>;
}

/**
 * A discovery mechanism of one service: it reports its full current list on every change, and
 * every failed lookup (it keeps its last known targets then) through `failed`, for metrics.
 */
export interface DiscoveryMechanism {
  readonly name: string;
  start(report: (groups: TargetGroup[]) => void, failed?: () => void): void | Promise<void>;
  stop(): Promise<void>;
}
