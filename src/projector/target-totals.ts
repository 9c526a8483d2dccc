// A target's last totals in a working set (ProjectionState.targetTotals): the totals as
// committed, which the projection store's cache shares and nothing here changes, and those
// the working set set since. A batch touches a few keys of every target: reading through to
// the committed totals, it copies none of the others (fifty keys per target, every batch).

export interface TargetTotals {
  /** As committed: the store's cached totals, a row read back, or none for a target met first. */
  readonly committed: ReadonlyMap<string, number>;
  /** Set by this working set since. */
  readonly updated: Map<string, number>;
}

const NONE: ReadonlyMap<string, number> = new Map();

export function targetTotals(committed: ReadonlyMap<string, number> = NONE): TargetTotals {
  return { committed, updated: new Map() };
}

/** The last total of `key`, undefined when the target never reported it. */
export function lastTotal(totals: TargetTotals, key: string): number | undefined {
  const updated = totals.updated.get(key);
  return updated !== undefined ? updated : totals.committed.get(key);
}

/** Every key's last total: the committed keys first, in their order, then the keys met since. */
export function forEachTotal(totals: TargetTotals, each: (total: number, key: string) => void): void {
  const { committed, updated } = totals;
  committed.forEach((total, key) => each(updated.get(key) ?? total, key));
  updated.forEach((total, key) => {
    if (!committed.has(key)) each(total, key);
  });
}

/** Every key's last total, as a map: what the target's row holds. */
export function allTotals(totals: TargetTotals): Map<string, number> {
  const all = new Map<string, number>();
  forEachTotal(totals, (total, key) => all.set(key, total));
  return all;
}
