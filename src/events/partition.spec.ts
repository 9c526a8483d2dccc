import { partitionFilter, partitionNames, partitionOf, partitionSubjectPrefix, spreadHash, stableHash, withoutPartition } from './partition.js';

describe('partitions', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('stableHash(%j) is FNV-1a 32', (text, hash) => {
    expect(stableHash(text)).toBe(hash);
  });

  it.each([
    ['a', 444641715],
    ['foobar', 202221276],
  ])('spreadHash(%j) is FNV-1a 32 through the Murmur3 finalizer', (text, hash) => {
    expect(spreadHash(text)).toBe(hash);
  });

  it.each([
    ['svc', 1, ''],
    ['svc', 0, ''],
    ['a', 4, 'p3.'],
    ['foobar', 7, 'p5.'],
  ])('partitionSubjectPrefix(%j, %d) = %j', (service, partitions, prefix) => {
    expect(partitionSubjectPrefix(service, partitions)).toBe(prefix);
  });

  it('spreads services over every partition', () => {
    const seen = new Set(Array.from({ length: 200 }, (_, i) => partitionOf(`service-${i}`, 8)));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it.each([
    ['p3.SnapshotScraped.svc', 'SnapshotScraped.svc'],
    ['p12.chunk.svc', 'chunk.svc'],
    ['SnapshotScraped.p3', 'SnapshotScraped.p3'],
    ['chunk.svc', 'chunk.svc'],
  ])('withoutPartition(%j) = %j', (subject, plain) => {
    expect(withoutPartition(subject)).toBe(plain);
  });

  it.each([
    [0, 1, undefined, { checkpoint: 'projector', consumer: 'periskop-projector' }],
    [2, 4, 'p2.>', { checkpoint: 'projector.p2', consumer: 'periskop-projector-p2' }],
  ])('partition %d of %d filters %j and is named %j', (k, partitions, filter, names) => {
    expect(partitionFilter(k, partitions)).toBe(filter);
    expect(partitionNames(k, partitions)).toEqual(names);
  });
});
