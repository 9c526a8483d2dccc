// `events.snapshot_every` / `events.snapshots_kept`: read-model snapshots that bound the
// cost of a replay and of time travel (docs/history.md). Beside the other events keys, for
// both log types.

import type { SnapshotConfig } from './config.types.js';
import type { YamlNode } from './yaml-node.js';

export const SNAPSHOT_KEYS = ['snapshot_every', 'snapshots_kept'] as const;
export const DEFAULT_SNAPSHOT_EVERY = 100_000;
export const DEFAULT_SNAPSHOTS_KEPT = 3;

export const DEFAULT_SNAPSHOTS: SnapshotConfig = { every: DEFAULT_SNAPSHOT_EVERY, kept: DEFAULT_SNAPSHOTS_KEPT };

export function parseSnapshotConfig(events: YamlNode): SnapshotConfig {
  return {
    every: events.field('snapshot_every').optional((n) => n.integer(0, 1_000_000_000), DEFAULT_SNAPSHOT_EVERY),
    kept: events.field('snapshots_kept').optional((n) => n.integer(1, 1000), DEFAULT_SNAPSHOTS_KEPT),
  };
}
