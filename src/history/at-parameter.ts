// `?at=<RFC 3339>`: the moment a question about the past is asked for.

export class InvalidTime extends Error {
  override readonly name = 'InvalidTime';
}

const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Epoch milliseconds of an RFC 3339 time (`2026-11-23T22:00:00Z`, any fraction, any offset). */
export function parseAtParameter(text: string): number {
  const match = RFC_3339.exec(text);
  const ms = match ? Date.parse(text.replace(' ', 'T')) : NaN;
  if (!match || Number.isNaN(ms) || !calendarDateExists(Number(match[1]), Number(match[2]), Number(match[3]))) {
    throw new InvalidTime(`at: ${JSON.stringify(text)} is not an RFC 3339 time (e.g. "2026-11-23T22:00:00Z")`);
  }
  return ms;
}

// Date.parse rolls 2026-02-30 over to March; RFC 3339 has no such day.
function calendarDateExists(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
