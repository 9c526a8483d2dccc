// Timestamps as the periskop client libraries send them: Go marshals time.Time as RFC 3339 with
// up to nine fraction digits, Python appends "Z" to isoformat(), JVM and Node print ISO instants,
// and hand-rolled clients send Unix epochs. Everything becomes epoch milliseconds.

const RFC_3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

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

function parseRfc3339(text: string): number | null {
  const match = RFC_3339.exec(text);
  if (match === null) return null;
  const [, year, month, day, hour, minute, second, fraction, zulu, sign, offsetHours, offsetMinutes] =
    match.map((part) => part ?? '');
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  // 60 is a leap second; Date rolls it into the next minute, which is close enough.
  const s = Number(second);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 60) {
    return null;
  }
  let offsetMs = 0;
  if (zulu === '') {
    const oh = Number(offsetHours);
    const om = Number(offsetMinutes);
    if (oh > 23 || om > 59) return null;
    offsetMs = (sign === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const ms = Number(fraction.slice(0, 3).padEnd(3, '0'));
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  const epoch = date.getTime() - offsetMs;
  return Number.isFinite(epoch) ? epoch : null;
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

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
