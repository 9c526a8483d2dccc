import { mergeOccurrences, type FoldedOccurrence } from '../projector/aggregate-rules.js';
import type { ErrorOccurrence } from '../scraper/payload.types.js';
import { occurrenceChanges } from './occurrence-pages.js';
import { newerFirst } from '../projector/aggregate-rules.js';
import { occurrence } from '../../test/support/error-occurrence.js';

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

describe('occurrenceChanges', () => {
  const [a, b, c, d, e] = [occurrence('a', 5), occurrence('b', 4), occurrence('c', 3), occurrence('d', 2), occurrence('e', 1)];
  const uuids = (list: FoldedOccurrence[]) => list.map((o) => o.uuid);

  it.each([
    ['nothing stored: all added', [], [a, b], ['a', 'b'], []],
    ['unchanged', [a, b], [a, b], [], []],
    ['newer ones in, oldest out at the cap', [b, c, d], [a, b, c], ['a'], ['d']],
    ['one between kept ones', [a, c], [a, b, c], ['b'], []],
    ['all replaced', [d, e], [a, b], ['a', 'b'], ['d', 'e']],
    ['emptied', [a, b], [], [], ['a', 'b']],
  ] as [string, ErrorOccurrence[], ErrorOccurrence[], string[], string[]][])('%s', (_name, stored, next, added, removed) => {
    const changes = occurrenceChanges(stored, next);
    expect(uuids(changes.added)).toEqual(added);
    expect(uuids(changes.removed)).toEqual(removed);
  });

  it('treats an equal occurrence that is another object as replaced (deleted, then inserted again)', () => {
    const again = occurrence('b', 4);
    const changes = occurrenceChanges([a, b], [a, again]);
    expect(changes.added).toEqual([again]);
    expect(changes.removed).toEqual([b]);
  });

  it('finds what mergeOccurrences changed in a full list', () => {
    const stored = Array.from({ length: 100 }, (_, i) => occurrence(`s${i}`, 1_000 - i));
    const next = mergeOccurrences(stored, [occurrence('new', 2_000), occurrence('mid', 950)]);
    const changes = occurrenceChanges(stored, next);
    expect(uuids(changes.added)).toEqual(['new', 'mid']);
    expect(uuids(changes.removed)).toEqual(['s98', 's99']);
  });
});
