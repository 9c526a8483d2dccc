import type { ErrorInstance } from '../api/model';

/** Deeper than this, a cause chain is cut (and a cyclic one is cut where it loops). */
export const MAX_CAUSE_DEPTH = 32;

/** The error followed by its causes, outermost first: error, error.cause, error.cause.cause, … */
export function causeChain(error: ErrorInstance | null | undefined): ErrorInstance[] {
  const chain: ErrorInstance[] = [];
  const seen = new Set<ErrorInstance>();
  for (let e = error; e && !seen.has(e) && chain.length < MAX_CAUSE_DEPTH; e = e.cause) {
    seen.add(e);
    chain.push(e);
  }
  return chain;
}
