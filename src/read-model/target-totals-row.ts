import { forEachTotal, targetTotals, type TargetTotals } from '../projector/target-totals.js';
import { rowId } from './row-id.js';

// A target's totals as its target_totals row holds them: one JSON object, aggregation key to
// the last total_count the target reported for it. One row per target, rewritten whole when
// any of its keys moves, instead of a row per target and key: a projector batch touches a
// few keys of every target, and upserted 28,000 rows per 20,000 events where it now writes a
// row per target touched (bench/README.md, "The projector, tenth pass").

export function totalsText(totals: TargetTotals): string {
  // Written out rather than through an object: no fifty-property object per target and batch,
  // and "__proto__" is a key like any other (JSON.parse gives it back as its own property).
  let text = '';
  forEachTotal(totals, (total, key) => (text += `${text === '' ? '{' : ','}${JSON.stringify(key)}:${total}`));
  return text === '' ? '{}' : `${text}}`;
}

/** The totals of a row's text; `where` names the row in the error when the text is not such an object. */
export function totalsOfText(text: string, where: string): Map<string, number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: totals are not JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${where}: totals are not a JSON object of totals by aggregation key`);
  const totals = new Map<string, number>();
  for (const [key, total] of Object.entries(parsed)) {
    if (!Number.isSafeInteger(total) || (total as number) < 0) throw new Error(`${where}: the total of ${JSON.stringify(key)} is ${JSON.stringify(total)}, not a count`);
    totals.set(key, total as number);
  }
  return totals;
}

/** A target_totals row as the older per-key rows become one (the migration, an older snapshot). */
export interface TargetTotalsRowValues {
  id: string;
  service: string;
  targetUuid: string;
  totals: string;
}

/** Totals reported per target and key, gathered into a row per target. */
export class TotalsByTarget {
  private readonly byTarget = new Map<string, { service: string; targetUuid: string; totals: Map<string, number> }>();

  add(service: string, targetUuid: string, key: string, total: number): void {
    const id = rowId(service, targetUuid);
    let target = this.byTarget.get(id);
    if (!target) this.byTarget.set(id, (target = { service, targetUuid, totals: new Map() }));
    target.totals.set(key, total);
  }

  rows(): TargetTotalsRowValues[] {
    return [...this.byTarget].map(([id, { service, targetUuid, totals }]) => ({ id, service, targetUuid, totals: totalsText(targetTotals(totals)) }));
  }
}
