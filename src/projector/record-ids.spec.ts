import { aggregateId, bucketId, bucketIdOf, parseAggregateId, parseBucketId, parseTargetRowId, parseTargetTotalsId, targetRowId, targetTotalsId } from './record-ids.js';

// Service names, keys, target uuids and URLs are free text: digits, colons, '@', empty.
const texts = ['', 'a', 'svc', '1:2:', '3:ab', '@', 'a@1m@5', 'ключ ✓', '0', 'x'.repeat(300)];

describe('record ids', () => {
  const pairs = texts.flatMap((a) => texts.map((b) => [a, b] as const));

  it.each(pairs)('parse back what they are made of (%j, %j)', (a, b) => {
    expect(parseAggregateId(aggregateId(a, b))).toEqual({ service: a, key: b });
    expect(parseTargetTotalsId(targetTotalsId(a, b))).toEqual({ service: a, targetUuid: b });
    expect(parseBucketId(bucketId(a, b, '1m', 1_700_000_040_000))).toEqual({ service: a, key: b, step: '1m', start: 1_700_000_040_000, aggregate: aggregateId(a, b) });
    expect(parseBucketId(bucketId(a, b, '1h', 0))).toEqual({ service: a, key: b, step: '1h', start: 0, aggregate: aggregateId(a, b) });
    expect(parseTargetRowId(targetRowId(a, b))).toEqual({ service: a, url: b });
  });

  it('are distinct for distinct parts (no two splits of the same text collide)', () => {
    const kinds: [string, (a: string, b: string) => string][] = [
      ['aggregate', aggregateId],
      ['target totals', targetTotalsId],
      ['bucket', (a, b) => bucketId(a, b, '1m', 60_000)],
      ['target row', targetRowId],
    ];
    for (const [, id] of kinds) expect(new Set(pairs.map(([a, b]) => id(a, b))).size).toBe(pairs.length);
  });
});

describe('ids kept while they are met again', () => {
  it('stay the ids built from their parts, past the bound that starts them over', () => {
    for (let i = 0; i < 60_000; i++) {
      const id = aggregateId(`svc${i % 7}`, `key${i}`);
      expect(id).toBe(`${`svc${i % 7}`.length}:${`key${i}`.length}:svc${i % 7}key${i}`);
    }
    expect(aggregateId('svc0', 'key0')).toBe('4:4:svc0key0');
  });

  it('give a bucket id for whichever start is asked, not the last one kept', () => {
    const aggregate = aggregateId('svc', 'k');
    for (const start of [60_000, 120_000, 60_000, 120_000]) {
      expect(bucketIdOf(aggregate, '1m', start)).toBe(`${aggregate}1m@${start}`);
      expect(bucketIdOf(aggregate, '1h', start * 60)).toBe(`${aggregate}1h@${start * 60}`);
    }
    expect(parseBucketId(bucketIdOf(aggregate, '1m', 60_000))).toMatchObject({ service: 'svc', key: 'k', step: '1m', start: 60_000 });
  });
});
