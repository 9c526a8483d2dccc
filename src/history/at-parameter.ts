// `?at=<RFC 3339>`: the moment a question about the past is asked for.

import { parseRfc3339 } from '../clock/rfc3339.js';

export class InvalidTime extends Error {
  override readonly name = 'InvalidTime';
}

/** Epoch milliseconds of an RFC 3339 time (`2026-11-23T22:00:00Z`, any fraction, any offset). */
export function parseAtParameter(text: string): number {
  const ms = parseRfc3339(text);
  if (ms === null) throw new InvalidTime(`at: ${JSON.stringify(text)} is not an RFC 3339 time (e.g. "2026-11-23T22:00:00Z")`);
  return ms;
}
