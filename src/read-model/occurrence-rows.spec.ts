import { mergeOccurrences } from '../projector/aggregate-rules.js';
import type { ErrorOccurrence } from '../scraper/payload.types.js';
import { documentRows } from './migrations/error-occurrences.js';
import { identityOfKey, occurrenceKey } from './occurrence-rows.js';
import { newerFirst } from '../projector/aggregate-rules.js';
import { rowId } from './row-id.js';

const occurrence = (uuid: string, timestamp: number): ErrorOccurrence => ({
  error: { class: 'E', message: 'm', stacktrace: [], cause: null },
  uuid,
  timestamp,
  severity: 'error',
  http_context: null,
});

describe('the occurrence order (newerFirst), as stored lists are sorted on load', () => {
  it.each([
    ['newer first', [['a', 1], ['b', 2]], ['b', 'a']],
    ['equal times by uuid', [['b', 5], ['a', 5]], ['a', 'b']],
    ['uuids by UTF-16 code unit, upper case before lower', [['a', 5], ['B', 5], ['é', 5], ['Z', 5]], ['B', 'Z', 'a', 'é']],
    ['times before uuids', [['a', 1], ['z', 3], ['m', 3]], ['m', 'z', 'a']],
  ] as [string, [string, number][], string[]][])('%s', (_name, given, expected) => {
    const list = given.map(([uuid, t]) => occurrence(uuid, t));
    expect([...list].sort(newerFirst).map((o) => o.uuid)).toEqual(expected);
    // The order the projection keeps its lists in (what the API served before the rows).
    expect(mergeOccurrences([], list).map((o) => o.uuid)).toEqual(expected);
  });
});

describe('occurrenceKey', () => {
  it('tells apart a uuid reused at another time, and reads back', () => {
    expect(occurrenceKey(occurrence('u 1', 5))).not.toBe(occurrenceKey(occurrence('u 1', 6)));
    expect(identityOfKey(occurrenceKey(occurrence('u 1', 5)))).toEqual({ uuid: 'u 1', timestamp: 5 });
  });
});

describe('documentRows', () => {
  const columns = (latestErrors: string) => ({ id: rowId('svc', 'K'), service: 'svc', aggregation_key: 'K', latest_errors: latestErrors });

  it('makes a row per occurrence of the document, its text as it was', () => {
    const o = occurrence('u1', 1_000);
    expect(documentRows(columns(JSON.stringify([o])))).toEqual([
      { id: rowId('svc', 'K', 'u1', '1000'), aggregate_id: rowId('svc', 'K'), uuid: 'u1', timestamp: 1_000, occurrence: JSON.stringify(o) },
    ]);
    expect(documentRows(columns('[]'))).toEqual([]);
  });

  it.each([
    ['not JSON', '[{', /aggregated_error [0-9a-f]{64} \(svc, K\): latest_errors is not JSON/],
    ['not a list', '{}', /latest_errors is not a list of occurrences/],
    ['an occurrence without uuid', '[{"timestamp":1}]', /latest_errors\[0\] has no string uuid and numeric timestamp/],
    ['a null occurrence', '[null]', /latest_errors\[0\] has no string uuid/],
  ])('rejects a document that is %s, naming the row', (_name, text, message) => {
    expect(() => documentRows(columns(text))).toThrow(message);
  });
});
