const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

const format = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "3 minutes ago", "yesterday", "now" for a Unix time in seconds, relative to `nowMs`. */
export function relativeTime(unixSeconds: number | null | undefined, nowMs: number): string {
  if (unixSeconds === null || unixSeconds === undefined) return 'never';
  const diff = unixSeconds - nowMs / 1000;
  const abs = Math.abs(diff);
  if (abs < 5) return 'just now';
  for (const [unit, size] of units) {
    if (abs >= size || unit === 'second') return format.format(Math.round(diff / size), unit);
  }
  return 'just now';
}

/** "2024-05-01 13:04:05 UTC" */
export function absoluteTime(unixSeconds: number | null | undefined): string {
  if (unixSeconds === null || unixSeconds === undefined) return '';
  const date = new Date(unixSeconds * 1000);
  if (Number.isNaN(date.getTime())) return '';
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** "updated 4s ago" style: seconds, then minutes. */
export function ageShort(sinceMs: number | null, nowMs: number): string {
  if (sinceMs === null) return 'never';
  const s = Math.max(0, Math.round((nowMs - sinceMs) / 1000));
  if (s < 60) return `${s}s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ago`;
  return `${Math.floor(m / 60)}h ago`;
}
