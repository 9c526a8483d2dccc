import type { ScrapedPayload } from './payload.types.js';
import type { KnownSegment } from './segmented-parse.js';
import { SharedTexts } from '../memory/shared-texts.js';
import { changedSince, hasFingerprint, occurrenceFingerprints, type PublishedTarget } from './snapshot-delta.js';

const texts = new SharedTexts();

/** changedSince after `previous` was kept packed, as the scraper keeps it between scrapes. */
function since(previous: PublishedTarget | undefined, targetUuid: string, scraped: ScrapedPayload, segments: KnownSegment[] | null = null, unparsedSeen?: string[]) {
  return changedSince(previous?.unpack(), targetUuid, scraped, texts, segments, unparsedSeen);
}

function payload(...errors: [string, number, string[]][]): ScrapedPayload {
  return {
    target_uuid: 't',
    aggregated_errors: errors.map(([key, total, uuids]) => ({
      aggregation_key: key,
      total_count: total,
      severity: 'error',
      created_at: null,
      latest_errors: uuids.map((uuid) => ({
        error: { class: 'E', message: '', stacktrace: [], cause: null },
        uuid,
        timestamp: 0,
        severity: 'error',
        http_context: null,
      })),
    })),
  };
}

function summary(changed: ReturnType<typeof changedSince>['changed']) {
  return changed.map((e) => [e.aggregation_key, e.total_count, e.latest_errors.map((o) => o.uuid)]);
}

describe('changedSince', () => {
  it('publishes everything on the first scrape', () => {
    expect(summary(since(undefined, 't', payload(['a', 1, ['u1']], ['b', 2, ['u2']])).changed)).toEqual([
      ['a', 1, ['u1']],
      ['b', 2, ['u2']],
    ]);
  });

  it('publishes nothing when no total changed', () => {
    const first = since(undefined, 't', payload(['a', 1, ['u1']]));
    expect(since(first.next, 't', payload(['a', 1, ['u1']])).changed).toEqual([]);
  });

  it('publishes only the changed key with only its new occurrences', () => {
    const first = since(undefined, 't', payload(['a', 1, ['u1']], ['b', 2, ['u2']]));
    expect(summary(since(first.next, 't', payload(['a', 2, ['u1', 'u3']], ['b', 2, ['u2']])).changed)).toEqual([
      ['a', 2, ['u3']],
    ]);
  });

  it('publishes everything again when the instance restarted with a new target_uuid', () => {
    const first = since(undefined, 't', payload(['a', 1, ['u1']]));
    expect(summary(since(first.next, 't2', payload(['a', 1, ['u1']])).changed)).toEqual([['a', 1, ['u1']]]);
  });

  it('keeps what was seen of a key whose total did not change, even when its occurrences were not read', () => {
    const first = since(undefined, 't', payload(['a', 1, ['u1']]));
    const unread = since(first.next, 't', payload(['a', 1, []]));
    expect(unread.changed).toEqual([]);
    expect(summary(since(unread.next, 't', payload(['a', 2, ['u1', 'u2']])).changed)).toEqual([['a', 2, ['u2']]]);
  });
});

describe('changedSince keeps', () => {
  it('the segments it is given, by digest', () => {
    const segment: KnownSegment = { digest: 'd1', key: 'a', total: 1, header: { aggregation_key: 'a', total_count: 1 } };
    expect([...since(undefined, 'uuid', payload(['a', 1, ['u1']]), [segment]).next.unpack().segments]).toEqual([['d1', segment]]);
  });

  it('no segments for a body that was parsed whole', () => {
    expect(since(undefined, 'uuid', payload(['a', 1, ['u1']])).next.unpack().segments.size).toBe(0);
  });
});

describe('occurrence fingerprints', () => {
  const fingerprints = occurrenceFingerprints(['u1', 'u2', '6f1c2a4e-0000-4000-8000-000000000000']);

  it.each([
    ['u1', true],
    ['u2', true],
    ['6f1c2a4e-0000-4000-8000-000000000000', true],
    ['u3', false],
    ['', false],
  ])('knows whether %j was seen', (uuid, seen) => {
    expect(hasFingerprint(fingerprints, uuid)).toBe(seen);
  });

  it('keeps 6 characters per uuid, whatever its length', () => {
    expect(occurrenceFingerprints(['x'.repeat(1000), 'y'])).toHaveLength(12);
    expect(hasFingerprint('', 'u1')).toBe(false);
  });

  it('adds fingerprints after those already recorded', () => {
    const both = occurrenceFingerprints(['u2'], occurrenceFingerprints(['u1']));
    expect(both).toBe(occurrenceFingerprints(['u1', 'u2']));
    expect(occurrenceFingerprints([], both)).toBe(both);
  });

  it('keeps as seen the occurrences the parser left out unparsed (unparsedSeen)', () => {
    const first = since(undefined, 't', payload(['a', 2, ['u2', 'u1']]));
    // The parser read only u3 of a's latest; u2 and u1 it knew by fingerprint.
    const second = since(first.next, 't', payload(['a', 3, ['u3']]), null, [occurrenceFingerprints(['u2', 'u1'])]);
    expect(summary(second.changed)).toEqual([['a', 3, ['u3']]]);
    for (const uuid of ['u3', 'u2', 'u1']) expect(hasFingerprint(second.next.unpack().seen.get('a')!, uuid)).toBe(true);
    // u1 again in a whole parse later is not new.
    expect(summary(since(second.next, 't', payload(['a', 4, ['u4', 'u3', 'u1']])).changed)).toEqual([['a', 4, ['u4']]]);
  });
});
