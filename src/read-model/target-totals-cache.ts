import { SharedTexts } from '../memory/shared-texts.js';
import { forEachTotal, type TargetTotals } from '../projector/target-totals.js';

/**
 * The last totals the projector saw per target (service, target_uuid), by targetTotalsId, as
 * committed, so a batch need not read back what the last one wrote: each target's map of its
 * keys' totals, whole (a target is cached with every key its row holds, or not at all, so a
 * key missing from a cached target was never reported). A working set reads through to these
 * maps (TargetTotals.committed) and only the cache changes them, when it takes the batch's
 * totals. Every target is in it (each scrape round touches them all), so each key's text is
 * held once for every target that reports it: a thousand targets × fifty keys hold fifty
 * strings (not each event's own).
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

  /** The target's totals by key; read only (the cache alone changes them, in remember). */
  get(id: string): ReadonlyMap<string, number> | undefined {
    return this.byTarget.get(id);
  }

  /**
   * Takes a working set's totals of the target as its newest (once the working set is done
   * with them); targets past the bound are dropped whole, their ids noted in `evicted`.
   */
  remember(id: string, totals: TargetTotals, evicted?: { add(id: string): unknown }): void {
    const cached = this.byTarget.get(id);
    if (cached) {
      this.byTarget.delete(id);
      this.entries -= cached.size;
    }
    let kept: Map<string, number>;
    if (cached !== undefined && cached === totals.committed) {
      // Read through by the working set: the keys it set are all that changed.
      kept = cached;
      totals.updated.forEach((total, key) => kept.set(kept.has(key) ? key : this.keyTexts.of(key), total));
    } else {
      kept = new Map();
      forEachTotal(totals, (total, key) => kept.set(this.keyTexts.of(key), total));
    }
    this.byTarget.set(id, kept);
    this.entries += kept.size;
    while (this.entries > this.maxEntries) this.dropOldest(evicted);
  }

  clear(): void {
    this.byTarget.clear();
    this.entries = 0;
  }

  private dropOldest(evicted: { add(id: string): unknown } | undefined): void {
    const [id, totals] = this.byTarget.entries().next().value as [string, Map<string, number>];
    this.byTarget.delete(id);
    this.entries -= totals.size;
    evicted?.add(id);
  }
}
