import { SharedTexts } from '../memory/shared-texts.js';
import { parseTargetCountId, targetCountId } from '../projector/record-ids.js';

/**
 * The last total the projector saw per (service, target_uuid, key), as committed, so a batch
 * need not read back what the last one wrote. Every target is in it (each scrape round touches
 * them all), so it is laid out for a thousand targets × their keys: one map per target, of
 * its keys' totals, each key's text held once for every target that reports it. Keyed by the
 * working set's targetCountId instead, it held a 60–100 character id per target and key: 8.8 MB
 * of the server's heap at 1,000 targets × 50 keys (a heap snapshot), most of what the store
 * kept per target.
 * Bounded by `maxEntries` totals; targets are dropped whole, least recently used first.
 */
export class TargetTotalsCache {
  /** By targetScope(service, targetUuid), least recently used first. */
  private readonly byTarget = new Map<string, Map<string, number>>();
  /** One string per distinct aggregation key, shared by every target's map (keys come sliced out of ids). */
  private readonly keyTexts = new SharedTexts();
  private entries = 0;

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries;
  }

  get(service: string, targetUuid: string, key: string): number | undefined {
    return this.byTarget.get(targetScope(service, targetUuid))?.get(key);
  }

  /** Keeps `total` as the target's newest; targets past the bound are dropped, their ids noted in `evicted`. */
  remember(id: string, total: number, evicted?: { add(id: string): unknown }): void {
    const { service, targetUuid, key } = parseTargetCountId(id);
    const scope = targetScope(service, targetUuid);
    let totals = this.byTarget.get(scope);
    if (totals) this.byTarget.delete(scope);
    else totals = new Map();
    this.byTarget.set(scope, totals);
    if (!totals.has(key)) this.entries++;
    totals.set(this.keyTexts.of(key), total);
    while (this.entries > this.maxEntries) this.dropOldest(evicted);
  }

  clear(): void {
    this.byTarget.clear();
    this.entries = 0;
  }

  private dropOldest(evicted: { add(id: string): unknown } | undefined): void {
    const [scope, totals] = this.byTarget.entries().next().value as [string, Map<string, number>];
    this.byTarget.delete(scope);
    this.entries -= totals.size;
    if (!evicted) return;
    const { service, targetUuid } = parseTargetScope(scope);
    for (const key of totals.keys()) evicted.add(targetCountId(service, targetUuid, key));
  }
}

function targetScope(service: string, targetUuid: string): string {
  return `${service.length}:${service}${targetUuid}`;
}

function parseTargetScope(scope: string): { service: string; targetUuid: string } {
  const colon = scope.indexOf(':');
  const end = colon + 1 + Number(scope.slice(0, colon));
  return { service: scope.slice(colon + 1, end), targetUuid: scope.slice(end) };
}
