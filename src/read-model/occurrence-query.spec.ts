import { InvalidSearch } from './error-search.js';
import { parseOccurrenceQuery } from './occurrence-query.js';

const now = Date.parse('2024-05-01T12:00:00Z');

describe('parseOccurrenceQuery', () => {
  it.each([
    ['defaults to hourly buckets over the last week', {}, { step: '1h', from: now - 7 * 86_400_000, to: now }],
    ['gives minute buckets the last six hours', { step: '1m' }, { step: '1m', from: now - 6 * 3_600_000, to: now }],
    [
      'reads RFC 3339 times',
      { from: '2024-05-01T00:00:00Z', to: '2024-05-01T06:00:00+02:00' },
      { step: '1h', from: Date.parse('2024-05-01T00:00:00Z'), to: Date.parse('2024-05-01T04:00:00Z') },
    ],
    ['reads Unix seconds', { from: '1714521600', to: '1714525200' }, { step: '1h', from: 1_714_521_600_000, to: 1_714_525_200_000 }],
  ])('%s', (_name, query, expected) => {
    expect(parseOccurrenceQuery(query, now)).toEqual(expected);
  });

  it.each([
    [{ step: '5m' }, 'step: "5m" is not one of 1m, 1h'],
    [{ from: 'yesterday' }, 'from: "yesterday" is not an RFC 3339 time or Unix seconds'],
    [{ from: '2024-05-02T00:00:00Z' }, 'from: is after to'],
    [{ step: '1m', from: '2024-01-01T00:00:00Z' }, 'more than 10000 buckets of 1m'],
  ])('refuses %j', (query, message) => {
    expect(() => parseOccurrenceQuery(query, now)).toThrow(InvalidSearch);
    expect(() => parseOccurrenceQuery(query, now)).toThrow(message);
  });
});
