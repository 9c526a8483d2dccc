import { parseTimestamp } from './timestamp.js';

const AT_630_MS = Date.UTC(2018, 8, 13, 16, 23, 30, 630);

describe('parseTimestamp', () => {
  it.each([
    ['reads a Z timestamp with milliseconds (JVM, Node, Python clients)', '2018-09-13T16:23:30.630Z', AT_630_MS],
    ['reads a Go RFC3339Nano timestamp, truncating nanoseconds', '2018-09-13T16:23:30.630123456Z', AT_630_MS],
    ['truncates rather than rounds sub-millisecond digits', '2018-09-13T16:23:30.630999Z', AT_630_MS],
    ['reads a timestamp without a fraction', '2018-09-13T16:23:30Z', AT_630_MS - 630],
    ['reads a one-digit fraction as tenths', '2018-09-13T16:23:30.6Z', AT_630_MS - 30],
    ['applies a positive offset', '2018-09-13T17:23:30.630123456+01:00', AT_630_MS],
    ['applies a negative offset with minutes', '2018-09-13T10:53:30.630-05:30', AT_630_MS],
    ['accepts an offset without a colon', '2018-09-13T17:23:30.630+0100', AT_630_MS],
    ['accepts +00:00 as UTC (Python isoformat)', '2018-09-13T16:23:30.630+00:00', AT_630_MS],
    ['accepts a lowercase t and z', '2018-09-13t16:23:30.630z', AT_630_MS],
    ['accepts a space between date and time', '2018-09-13 16:23:30.630Z', AT_630_MS],
    ['crosses the date line through an offset', '2018-09-14T01:23:30.630+09:00', AT_630_MS],
    ['accepts 29 February in a leap year', '2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
  ])('%s', (_behaviour, input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it('keeps years below 100 literal instead of mapping them to the 1900s', () => {
    expect(new Date(parseTimestamp('0099-01-01T00:00:00Z')!).toISOString()).toBe('0099-01-01T00:00:00.000Z');
  });

  it.each([
    ['reads epoch seconds as a number', 1536855810, AT_630_MS - 630],
    ['reads fractional epoch seconds exactly', 1536855810.63, AT_630_MS],
    ['truncates sub-millisecond epoch seconds', 1536855810.6309, AT_630_MS],
    ['reads epoch milliseconds as a number', AT_630_MS, AT_630_MS],
    ['truncates fractional epoch milliseconds', AT_630_MS + 0.9, AT_630_MS],
    ['reads epoch seconds as a numeric string', '1536855810.630', AT_630_MS],
    ['reads epoch milliseconds as a numeric string', String(AT_630_MS), AT_630_MS],
    ['treats values just below 1e11 as seconds', 99_999_999_999, 99_999_999_999_000],
    ['treats 1e11 as milliseconds', 100_000_000_000, 100_000_000_000],
    ['reads the epoch itself', 0, 0],
  ])('%s', (_behaviour, input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it.each([
    ['rejects prose', 'yesterday'],
    ['rejects an empty string', ''],
    ['rejects a date without a time', '2018-09-13'],
    ['rejects a timestamp without an offset', '2018-09-13T16:23:30.630'],
    ['rejects more than nine fraction digits', '2018-09-13T16:23:30.6301234567Z'],
    ['rejects month 13', '2018-13-13T16:23:30Z'],
    ['rejects 31 April', '2018-04-31T16:23:30Z'],
    ['rejects 29 February outside a leap year', '2023-02-29T00:00:00Z'],
    ['rejects hour 24', '2018-09-13T24:00:00Z'],
    ['rejects an offset hour of 24', '2018-09-13T16:23:30+24:00'],
    ['rejects a negative epoch', -1],
    ['rejects a negative numeric string', '-1'],
    ['rejects NaN', Number.NaN],
    ['rejects Infinity', Number.POSITIVE_INFINITY],
    ['rejects an epoch beyond what Date can hold', 1e16],
    ['rejects a numeric string with an exponent', '1.5e9'],
    ['rejects padded numeric strings', ' 1536855810'],
    ['rejects null', null],
    ['rejects undefined', undefined],
    ['rejects booleans', true],
    ['rejects objects', {}],
  ])('%s', (_behaviour, input) => {
    expect(parseTimestamp(input)).toBeNull();
  });
});
