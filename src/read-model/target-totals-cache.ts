import { SharedTexts } from '../memory/shared-texts.js';

/**
 * The last totals the projector saw per target (service, target_uuid), by targetTotalsId, as
 * committed, so a batch need not read back what the last one wrote: each target's map of its
 * keys' totals, whole (a target is cached with every key its row holds, or not at all, so a
 * key missing from a cached target was never reported). Every target is in it (each scrape
 * round touches them all), so each key's text is held once for every target that reports it:
 * a thousand targets × fifty keys hold fifty strings (they come from each event's JSON).
 * Bounded by `maxEntries` totals; targets are dropped whole, least recently used first.
 */
export class TargetTotalsCache {
  /** Least recently used first. */
  private readonly byTarget = new Map<string, Map<string, number>>();
  private readonly keyTexts = new SharedTexts();
  private entries = 0;

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries;
  }

  /** The target's totals by key; a working set copies them before changing any. */
  get(id: string): ReadonlyMap<string, number> | undefined {
    return this.byTarget.get(id);
  }

  /** Keeps (a copy of) `totals` as the target's newest; targets past the bound are dropped whole, their ids noted in `evicted`. */
  remember(id: string, totals: ReadonlyMap<string, number>, evicted?: { add(id: string): unknown }): void {
    const previous = this.byTarget.get(id);
    if (previous) {
      this.byTarget.delete(id);
      this.entries -= previous.size;
    }
    const kept = this.withSharedKeys(totals);
    this.byTarget.set(id, kept);
    this.entries += kept.size;
    while (this.entries > this.maxEntries) this.dropOldest(evicted);
  }

  clear(): void {
    this.byTarget.clear();
    this.entries = 0;
  }

  /** A copy of `totals` keyed by the shared texts (a working set's keys are its events' strings). */
  private withSharedKeys(totals: ReadonlyMap<string, number>): Map<string, number> {
    const copy = new Map<string, number>();
    for (const [key, total] of totals) copy.set(this.keyTexts.of(key), total);
    return copy;
  }

  private dropOldest(evicted: { add(id: string): unknown } | undefined): void {
    const [id, totals] = this.byTarget.entries().next().value as [string, Map<string, number>];
    this.byTarget.delete(id);
    this.entries -= totals.size;
    evicted?.add(id);
  }
}
