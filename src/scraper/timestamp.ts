// Timestamps as the periskop client libraries send them: Go marshals time.Time as RFC 3339 with
// up to nine fraction digits, Python appends "Z" to isoformat(), JVM and Node print ISO instants,
// and hand-rolled clients send Unix epochs. Everything becomes epoch milliseconds.

import { parseRfc3339 } from '../clock/rfc3339.js';

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** Epochs below this are seconds, at or above it milliseconds (1e11 s is the year 5138). */
const SECONDS_LIMIT = 1e11;

/** The largest instant a JavaScript Date can hold. */
const MAX_EPOCH_MS = 8.64e15;

/**
 * Epoch milliseconds for an RFC 3339 string or a Unix epoch (seconds or milliseconds, as a
 * number or a numeric string), or null when the value is none of those. Sub-millisecond
 * precision is truncated.
 */
export function parseTimestamp(value: unknown): number | null {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? parseEpoch(epochDigits(value)) : null;
  }
  if (typeof value !== 'string') return null;
  return parseRfc3339(value) ?? parseEpoch(value);
}

function parseEpoch(text: string): number | null {
  const match = DECIMAL.exec(text);
  if (match === null) return null;
  const [, whole = '', fraction = ''] = match;
  // Scale by shifting decimal digits rather than multiplying floats, so 1536855810.63 s is
  // exactly ...630 ms and not ...629.9999.
  const scaled = Number(whole) < SECONDS_LIMIT ? whole + fraction.slice(0, 3).padEnd(3, '0') : whole;
  const epoch = Number(scaled);
  return epoch <= MAX_EPOCH_MS ? epoch : null;
}

/** Plain decimal digits of a number (no exponent), or "" when it has none. */
function epochDigits(value: number): string {
  if (value < 0) return '';
  const text = String(value);
  if (!text.includes('e')) return text;
  // Only huge values (≥ 1e21, rejected as out of range anyway) or tiny ones print with an exponent.
  return value < 1 ? '0' : value.toFixed(0);
}
