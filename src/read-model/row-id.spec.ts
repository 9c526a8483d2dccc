import { rowId, RowIdMemo } from './row-id.js';

// Stored ids must never change: a read model written before must be found by the same ids.
// These are the SHA-256 of the JSON array of the key, as every earlier version computed them.
describe('rowId', () => {
  it.each([
    [['checkout'], 'f9f77b923b27b0243024cff36c771c0ffbec1e32a11b8c9a9a04c11d5b178ecb'],
    [['checkout', 'java.lang.Error@1'], '7056e1191aa26014b0b186638d2c70760d202b977611d4e6b4c80e22a43f35d6'],
    [['svc with spaces.*>', 'K', 'u1', '1000'], '99882bc07746eeb720dad99e087062cd8648bddde6520bd64a169c1674e25e8c'],
    [['ünïcødé ✓', '"quoted\\'], '86468467411f63280fd4d69a91cad176122c547899d78e98cf1782a5d0ffb8b2'],
    [[''], '055539df4a0b804c58caf46c0cd2941af10d64c1395ddd8e50b5f55d945841e6'],
    [['a', 'b', 'c', '1', '2'], '1032f376ef8e638afa2dab189b4a36869e9e6f185e3aab49dc25b4f29f8b0215'],
  ])('%j → %s', (key, id) => {
    expect(rowId(...key)).toBe(id);
  });

  it('tells keys apart where plain concatenation would not', () => {
    expect(rowId('ab', 'c')).not.toBe(rowId('a', 'bc'));
  });
});

describe('RowIdMemo', () => {
  it('gives the rowId of the natural key, hashed once per memo key', () => {
    const memo = new RowIdMemo();
    expect(memo.of('k', 'svc', 'key')).toBe(rowId('svc', 'key'));
    // Keyed by the memo key alone: the caller keeps one kind of key per memo.
    expect(memo.of('k', 'other', 'natural key')).toBe(rowId('svc', 'key'));
  });

  it('starts over once it holds as many ids as it may', () => {
    const memo = new RowIdMemo(2);
    memo.of('a', 'a');
    memo.of('b', 'b');
    memo.of('c', 'c');
    expect(memo.of('a', 'changed')).toBe(rowId('changed'));
  });
});
