// Prometheus regexes are Go RE2 syntax, matched against the whole value: Prometheus compiles
// `^(?s:<regex>)$`. JavaScript's syntax differs in places, so the pattern is translated
// (with the `u` flag, so `.` and classes work on code points as in Go):
//   (?P<name>…) → (?<name>…); a leading (?i)/(?m)/(?s) → flags; \A, \z → text start/end;
//   \s → RE2's [\t\n\f\r ]; \pL, \p{Greek}, \p{^Greek} → \p{L}, \p{Script=Greek}, \P{…};
//   \x{10FFFF} → \u{10FFFF}; \Q…\E → escaped text; [[:alpha:]] → [a-zA-Z]; []a] → [\]a];
//   lone { } ] and escaped punctuation → escaped as JavaScript's `u` mode wants.
// What RE2 refuses is refused here too (backreferences, lookarounds, possessive or nested
// repetition), so a file that loads here also loads in Prometheus; the one RE2 feature left
// out is a flag group inside the pattern, e.g. a(?i:b): JavaScript on Node 20 has none.

const SYNTAX_CHARACTERS = new Set('^$\\.*+?()[]{}|/');

// RE2's POSIX classes (ASCII only), as the text inside a JavaScript class.
const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

// Negated POSIX classes JavaScript can say inside a class.
const NEGATED_POSIX_CLASSES: Readonly<Record<string, string>> = { digit: '\\D', word: '\\W' };

const RE2_SPACE = '\\t\\n\\f\\r ';

/** `text` as Prometheus anchors it, compiled for JavaScript; throws Error naming the problem. */
export function compilePrometheusRegex(text: string): RegExp {
  const { pattern, flags } = translateRe2(text);
  try {
    return new RegExp(`^(?:${pattern})$`, flags);
  } catch (error) {
    // V8's message repeats the whole translated pattern; keep only the reason.
    const reason = (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    throw new Error(`invalid regex ${JSON.stringify(text)}: ${reason}`);
  }
}

/** The JavaScript equivalent of an RE2 pattern (not anchored), with the flags it needs. */
export function translateRe2(text: string): { pattern: string; flags: string } {
  return new Re2Translator(text).translate();
}

class Re2Translator {
  private index = 0;
  private readonly flags = new Set(['s', 'u']);
  private out = '';

  constructor(private readonly text: string) {}

  translate(): { pattern: string; flags: string } {
    this.leadingFlags();
    while (this.index < this.text.length) this.atom();
    return { pattern: this.out, flags: [...this.flags].sort().join('') };
  }

  private fail(problem: string): never {
    throw new Error(`invalid regex ${JSON.stringify(this.text)}: ${problem}`);
  }

  private get rest(): string {
    return this.text.slice(this.index);
  }

  // `(?i)` and the like at the very start set the flags of the whole regex.
  private leadingFlags(): void {
    const match = /^\(\?([imsU]*)(?:-([imsU]*))?\)/.exec(this.text);
    if (!match) return;
    const [, on = '', off = ''] = match;
    if (on.includes('U') || off.includes('U')) this.fail('the ungreedy flag U is not supported; write lazy repetitions (*?, +?) instead');
    for (const flag of on) this.flags.add(flag);
    for (const flag of off) this.flags.delete(flag);
    this.index = match[0].length;
  }

  private atom(): void {
    const c = this.text[this.index]!;
    switch (c) {
      case '\\':
        this.out += this.escape(false);
        return;
      case '[':
        this.out += this.characterClass();
        return;
      case '(':
        this.out += this.group();
        return;
      case '{': {
        const repeat = /^\{(\d+)(,(\d*))?\}/.exec(this.rest);
        if (repeat) {
          if (Number(repeat[1]) > 1000 || (repeat[3] !== undefined && repeat[3] !== '' && Number(repeat[3]) > 1000)) {
            this.fail(`invalid repeat count ${repeat[0]} (at most 1000)`);
          }
          this.out += repeat[0];
          this.index += repeat[0].length;
        } else {
          this.out += '\\{'; // RE2 reads a brace that starts no repetition as a literal
          this.index++;
        }
        return;
      }
      case '}':
      case ']':
        this.out += `\\${c}`;
        this.index++;
        return;
      default: {
        const codePoint = this.text.codePointAt(this.index)!;
        const char = String.fromCodePoint(codePoint);
        this.out += char;
        this.index += char.length;
      }
    }
  }

  private group(): string {
    const rest = this.rest;
    const named = /^\(\?P?<([A-Za-z0-9_]+)>/.exec(rest);
    if (named) {
      if (/^\d/.test(named[1]!)) this.fail(`group name ${JSON.stringify(named[1])} starts with a digit, which JavaScript does not allow`);
      this.index += named[0].length;
      return `(?<${named[1]}>`;
    }
    if (rest.startsWith('(?:')) {
      this.index += 3;
      return '(?:';
    }
    if (/^\(\?<?[=!]/.test(rest)) this.fail('lookahead and lookbehind are not RE2 syntax');
    const flags = /^\(\?([imsU]*)(?:-([imsU]*))?([:)])/.exec(rest);
    if (flags) {
      const [text, on = '', off = '', end] = flags;
      // (?s) is already on; anything else would change the flags of part of the regex.
      if (on.replace(/s/g, '') === '' && off === '') {
        this.index += text.length;
        return end === ':' ? '(?:' : '';
      }
      this.fail(`flags inside the regex (${text}) are not supported; flags (?i), (?m) are supported at its very start`);
    }
    if (rest.startsWith('(?')) this.fail(`invalid or unsupported Perl syntax ${JSON.stringify(rest.slice(0, 3))}`);
    this.index++;
    return '(';
  }

  private characterClass(): string {
    let out = '[';
    this.index++; // [
    if (this.text[this.index] === '^') {
      out += '^';
      this.index++;
    }
    let first = true;
    for (;;) {
      if (this.index >= this.text.length) this.fail('missing closing ]');
      const c = this.text[this.index]!;
      if (c === ']' && !first) {
        this.index++;
        return `${out}]`;
      }
      first = false;
      if (c === '[') {
        const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.rest);
        if (posix) {
          const [text, negated, name] = posix;
          const positive = POSIX_CLASSES[name!];
          if (positive === undefined) this.fail(`invalid character class range ${text}`);
          if (negated) {
            const negative = NEGATED_POSIX_CLASSES[name!];
            if (negative === undefined) this.fail(`negated POSIX class ${text} is not supported; write [^…] instead`);
            out += negative;
          } else {
            out += positive;
          }
          this.index += text.length;
          continue;
        }
        out += '\\[';
        this.index++;
        continue;
      }
      if (c === '\\') {
        out += this.escape(true);
        continue;
      }
      if (c === ']') {
        out += '\\]'; // first in the class: RE2 reads it as a literal, JavaScript as the end
        this.index++;
        continue;
      }
      const char = String.fromCodePoint(this.text.codePointAt(this.index)!);
      out += char;
      this.index += char.length;
    }
  }

  // At a backslash; returns the JavaScript for the escape and moves past it.
  private escape(inClass: boolean): string {
    this.index++; // the backslash
    if (this.index >= this.text.length) this.fail('trailing backslash at end of expression');
    const c = this.text[this.index]!;
    this.index++;
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 'f':
      case 'n':
      case 'r':
      case 't':
      case 'v':
        return `\\${c}`;
      case 'a':
        return '\\x07';
      case 's':
        return inClass ? RE2_SPACE : `[${RE2_SPACE}]`;
      case 'S':
        return inClass ? '\\S' : `[^${RE2_SPACE}]`;
      case 'b':
      case 'B':
        if (inClass) this.fail(`invalid escape sequence \\${c} in a character class`);
        return `\\${c}`;
      case 'A':
        if (inClass) this.fail('invalid escape sequence \\A in a character class');
        return '(?<![\\s\\S])';
      case 'z':
        if (inClass) this.fail('invalid escape sequence \\z in a character class');
        return '(?![\\s\\S])';
      case 'p':
      case 'P':
        return this.unicodeClass(c === 'P');
      case 'x':
        return this.hexEscape();
      case 'Q': {
        if (inClass) this.fail('invalid escape sequence \\Q in a character class');
        const end = this.text.indexOf('\\E', this.index);
        const literal = this.text.slice(this.index, end === -1 ? undefined : end);
        this.index = end === -1 ? this.text.length : end + 2;
        return [...literal].map((ch) => (SYNTAX_CHARACTERS.has(ch) ? `\\${ch}` : ch)).join('');
      }
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        // Go: \0, \01, \012 and \12, \123 are octal; a single non-zero digit is a backreference.
        const octal = /^[0-7]{0,2}/.exec(this.rest)![0];
        if (c !== '0' && octal === '') this.fail(`backreferences such as \\${c} are not RE2 syntax`);
        this.index += octal.length;
        return `\\u{${parseInt(c + octal, 8).toString(16)}}`;
      }
      default: {
        const code = c.charCodeAt(0);
        // RE2 lets a backslash quote any ASCII punctuation.
        if (code < 0x80 && !/[0-9A-Za-z]/.test(c)) {
          if (SYNTAX_CHARACTERS.has(c) || (inClass && c === '-')) return `\\${c}`;
          return c;
        }
        this.fail(`invalid escape sequence \\${c}`);
      }
    }
  }

  private unicodeClass(negated: boolean): string {
    let name: string;
    if (this.text[this.index] === '{') {
      const end = this.text.indexOf('}', this.index);
      if (end === -1) this.fail('invalid character class range: missing }');
      name = this.text.slice(this.index + 1, end);
      this.index = end + 1;
    } else {
      name = this.text[this.index] ?? '';
      this.index++;
    }
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    if (!/^[A-Za-z_]+$/.test(name)) this.fail(`invalid character class range \\p{${name}}`);
    // One or two letters name a general category (L, Lu, Nd…); Any is a binary property; the rest are scripts.
    const property = /^[A-Z][a-z]?$/.test(name) || name === 'Any' ? name : `Script=${name}`;
    const js = `\\${negated ? 'P' : 'p'}{${property}}`;
    try {
      new RegExp(js, 'u');
    } catch {
      this.fail(`unknown Unicode class \\p{${name}}`);
    }
    return js;
  }

  private hexEscape(): string {
    const braced = /^\{([0-9A-Fa-f]+)\}/.exec(this.rest);
    if (braced) {
      const value = parseInt(braced[1]!, 16);
      if (value > 0x10ffff) this.fail(`invalid escape sequence \\x${braced[0]}`);
      this.index += braced[0].length;
      return `\\u{${value.toString(16)}}`;
    }
    const two = /^[0-9A-Fa-f]{2}/.exec(this.rest);
    if (!two) this.fail('invalid escape sequence \\x (expected \\x41 or \\x{41})');
    this.index += 2;
    return `\\x${two[0]}`;
  }
}
