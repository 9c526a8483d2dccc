import { decodeServiceToken, encodeServiceToken } from './subject-token.js';

describe('service subject token', () => {
  const cases: [name: string, token: string][] = [
    ['my-svc', 'my-svc'],
    ['Billing-API-2', 'Billing-API-2'],
    ['', '_'],
    ['a.b', 'a_2Eb'],
    ['my svc', 'my_20svc'],
    ['*', '_2A'],
    ['>', '_3E'],
    ['team/service', 'team_2Fservice'],
    ['under_score', 'under_5Fscore'],
    ['_', '_5F'],
    ['tab\there', 'tab_09here'],
    ['é', '_C3_A9'],
    ['服务', '_E6_9C_8D_E5_8A_A1'],
    ['🚀', '_F0_9F_9A_80'],
  ];

  it.each(cases)('encodes %j as %j', (name, token) => {
    expect(encodeServiceToken(name)).toBe(token);
  });

  it.each(cases)('decodes the token of %j back to the name', (name, token) => {
    expect(decodeServiceToken(token)).toBe(name);
  });

  const awkwardNames = [...cases.map(([name]) => name), 'a..b', ' leading', 'trailing\n', 'a.*.>', '%41', '_2E'];

  it.each(awkwardNames)('round-trips %j into a single token without separators or wildcards', (name) => {
    const token = encodeServiceToken(name);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(token).not.toMatch(/[.*>\s]/);
    expect(decodeServiceToken(token)).toBe(name);
  });

  it('keeps distinct names distinct', () => {
    const tokens = new Set(awkwardNames.map(encodeServiceToken));
    expect(tokens.size).toBe(new Set(awkwardNames).size);
  });

  it.each([
    ['', /empty/],
    ['a.b', /unexpected/],
    ['a_2', /bad escape/],
    ['a_2e', /bad escape/],
    ['_41', /needless escape/],
    ['_FF', /not UTF-8/],
  ])('rejects the malformed token %j', (token, message) => {
    expect(() => decodeServiceToken(token)).toThrow(message);
  });
});
