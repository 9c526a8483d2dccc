import { InvalidSearch, parseErrorSearch } from './error-search.js';

describe('parseErrorSearch', () => {
  it('defaults to open errors, newest first, 50 a page', () => {
    expect(parseErrorSearch({})).toEqual({ status: 'open', severity: null, text: null, sort: 'last_seen', order: 'desc', offset: 0, limit: 50, newSince: null });
  });

  it.each([
    [{ status: 'resolved' }, { status: 'resolved' }],
    [{ severity: 'warning' }, { severity: 'warning' }],
    [{ severity: 'all' }, { severity: null }],
    [{ q: '  NullPointer ' }, { text: 'NullPointer' }],
    [{ sort: 'total_count', order: 'asc' }, { sort: 'total_count', order: 'asc' }],
    [{ offset: '100', limit: '500' }, { offset: 100, limit: 500 }],
    [{ new_since: '2024-05-01T12:00:00.5+02:00' }, { newSince: Date.parse('2024-05-01T10:00:00.500Z') }],
    [{ new_since: '1714521600' }, { newSince: 1_714_521_600_000 }],
  ])('reads %j', (query, expected) => {
    expect(parseErrorSearch(query)).toMatchObject(expected);
  });

  it.each([
    [{ status: 'closed' }, 'status: "closed" is not one of open, resolved, all'],
    [{ severity: 'fatal' }, 'severity: "fatal" is not one of info, warning, error'],
    [{ sort: 'name' }, 'sort: "name" is not one of last_seen, total_count, created_at'],
    [{ limit: '501' }, 'limit: "501" is not a whole number from 0 to 500'],
    [{ offset: '-1' }, 'offset: "-1" is not a whole number'],
    [{ new_since: 'last tuesday' }, 'new_since: "last tuesday" is not an RFC 3339 time or Unix seconds'],
  ])('refuses %j', (query, message) => {
    expect(() => parseErrorSearch(query)).toThrow(InvalidSearch);
    expect(() => parseErrorSearch(query)).toThrow(message);
  });
});
