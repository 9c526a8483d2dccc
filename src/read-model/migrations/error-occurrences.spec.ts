import { rowId } from '../row-id.js';
import { documentRows } from './error-occurrences.js';
import { occurrence } from '../../../test/support/error-occurrence.js';

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
