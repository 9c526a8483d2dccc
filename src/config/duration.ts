// Durations as Go's time.ParseDuration and Prometheus' model.ParseDuration write them. The
// Go server parsed refresh_interval with the former; Prometheus discovery blocks use the
// latter, so one parser accepts the union: fractions and ns/us/µs (Go), d/w/y (Prometheus).

const MS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 micro sign
  'μs': 1e-3, // U+03BC Greek mu; Go accepts both
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000, // Prometheus: a year is 365 days
};

const EXAMPLES = '(examples: 10s, 1m30s, 500ms)';

// Longer unit names first so `ms` is not read as `m` followed by garbage.
const COMPONENT = /^(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h|d|w|y)/;

/** Milliseconds in `text`; sub-millisecond units give fractions (`300us` → 0.3). */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  if (text.startsWith('-')) throw new Error(`${JSON.stringify(text)} is not a duration: it must not be negative`);
  if (/^\d+(\.\d+)?$/.test(text)) {
    throw new Error(`${JSON.stringify(text)} is not a duration: it needs a unit, e.g. "${text}s"`);
  }
  let rest = text;
  let total = 0;
  do {
    const match = COMPONENT.exec(rest);
    if (match === null) throw new Error(`${JSON.stringify(text)} is not a duration ${EXAMPLES}`);
    total += Number(match[1]) * (MS_PER_UNIT[match[2]!] as number);
    rest = rest.slice(match[0].length);
  } while (rest !== '');
  // Rounding to whole nanoseconds removes floating-point noise such as 0.1h → 360000.00000000006.
  return Math.round(total * 1e6) / 1e6;
}
