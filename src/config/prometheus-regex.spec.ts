import { compilePrometheusRegex } from './prometheus-regex.js';

describe('compilePrometheusRegex (RE2, anchored as Prometheus anchors it)', () => {
  // [regex, matches, does not match]
  it.each<[string, string[], string[]]>([
    ['foo', ['foo'], ['xfoo', 'foox', 'Foo']],
    ['f|o', ['f', 'o'], ['foo']],
    ['(.*)', ['', 'anything\nwith a newline'], []],
    ['(?P<host>[^:]+):(?P<port>\\d+)', ['db:5432'], ['db']],
    ['(?<host>[^:]+)', ['db'], ['db:1']],
    ['(?i)prod', ['PROD', 'prod'], ['production']],
    ['(?m)a$', ['a'], []],
    ['(?s:a.b)', ['a\nb'], []],
    ['\\Aab\\z', ['ab'], ['ab\n']],
    ['a\\sb', ['a b', 'a\tb'], ['a\u00a0b', 'a\vb']],
    ['a\\Sb', ['axb'], ['a b']],
    ['[[:alpha:]]+[[:digit:]]', ['abc1'], ['abc', '1']],
    ['[[:^digit:]]', ['x'], ['1']],
    ['[]a]+', [']a]'], ['b']],
    ['[^]a]', ['b'], [']', 'a']],
    ['[a-c-]+', ['a-c'], ['d']],
    ['\\pL+\\p{Greek}', ['abλ'], ['ab1']],
    ['\\p{^Greek}', ['a'], ['λ']],
    ['\\PL', ['1'], ['a']],
    ['\\x41\\x{1F600}', ['A😀'], ['A']],
    ['\\Qa.b*c\\E+', ['a.b*c', 'a.b*cc'], ['aXbc']],
    ['a{2}', ['aa'], ['a']],
    ['a{,2}', ['a{,2}'], ['aa']],
    ['x{', ['x{'], []],
    ['a}', ['a}'], []],
    ['\\-\\_\\#\\%', ['-_#%'], []],
    ['[\\-\\]]+', ['-]'], ['a']],
    ['.', ['😀'], ['😀😀']],
    ['\\012', ['\n'], []],
    ['\\a\\f\\t', ['\u0007\f\t'], []],
  ])('%s', (regex, matches, misses) => {
    const compiled = compilePrometheusRegex(regex);
    for (const value of matches) expect([value, compiled.test(value)]).toEqual([value, true]);
    for (const value of misses) expect([value, compiled.test(value)]).toEqual([value, false]);
  });

  it('keeps the group numbering, named groups included', () => {
    expect(compilePrometheusRegex('(?:x)(a)(?P<n>b)\\s(c)').exec('xab c')!.slice(1)).toEqual(['a', 'b', 'c']);
  });

  it.each<[string, string]>([
    ['(', 'invalid regex "(": Unterminated group'],
    ['a**', 'invalid regex "a**": Nothing to repeat'],
    ['(a)\\1', 'invalid regex "(a)\\\\1": backreferences such as \\1 are not RE2 syntax'],
    ['a(?=b)', 'invalid regex "a(?=b)": lookahead and lookbehind are not RE2 syntax'],
    ['a(?i)b', 'invalid regex "a(?i)b": flags inside the regex ((?i)) are not supported; flags (?i), (?m) are supported at its very start'],
    ['(?U)a*', 'invalid regex "(?U)a*": the ungreedy flag U is not supported; write lazy repetitions (*?, +?) instead'],
    ['\\q', 'invalid regex "\\\\q": invalid escape sequence \\q'],
    ['a{1001}', 'invalid regex "a{1001}": invalid repeat count {1001} (at most 1000)'],
    ['[[:foo:]]', 'invalid regex "[[:foo:]]": invalid character class range [:foo:]'],
    ['\\p{Klingon}', 'invalid regex "\\\\p{Klingon}": unknown Unicode class \\p{Klingon}'],
    ['[a', 'invalid regex "[a": missing closing ]'],
    ['[z-a]', 'invalid regex "[z-a]": Range out of order in character class'],
  ])('refuses %s', (regex, message) => {
    expect(() => compilePrometheusRegex(regex)).toThrow(message);
  });
});
