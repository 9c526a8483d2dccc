import { InvalidSearch, parseErrorSearch } from './error-search.js';

describe('parseErrorSearch', () => {
  it('defaults to open errors, newest first, 50 a page', () => {
    expect(parseErrorSearch({})).toEqual({ status: 'open', severity: null, text: null, sort: 'last_seen', order: 'desc', offset: 0, limit: 50 });
  });

  it.each([
    [{ status: 'resolved' }, { status: 'resolved' }],
    [{ severity: 'warning' }, { severity: 'warning' }],
    [{ severity: 'all' }, { severity: null }],
    [{ q: '  NullPointer ' }, { text: 'NullPointer' }],
    [{ sort: 'total_count', order: 'asc' }, { sort: 'total_count', order: 'asc' }],
    [{ offset: '100', limit: '500' }, { offset: 100, limit: 500 }],
  ])('reads %j', (query, expected) => {
    expect(parseErrorSearch(query)).toMatchObject(expected);
  });

  it.each([
    [{ status: 'closed' }, 'status: "closed" is not one of open, resolved, all'],
    [{ severity: 'fatal' }, 'severity: "fatal" is not one of info, warning, error'],
    [{ sort: 'name' }, 'sort: "name" is not one of last_seen, total_count, created_at'],
    [{ limit: '501' }, 'limit: "501" is not a whole number from 0 to 500'],
    [{ offset: '-1' }, 'offset: "-1" is not a whole number'],
  ])('refuses %j', (query, message) => {
    expect(() => parseErrorSearch(query)).toThrow(InvalidSearch);
    expect(() => parseErrorSearch(query)).toThrow(message);
  });
});
