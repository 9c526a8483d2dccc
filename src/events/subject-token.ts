// Service names are free text, but a NATS subject token must not contain `.`, `*`, `>` or
// whitespace. The encoding keeps [A-Za-z0-9-] readable (`my-svc` stays `my-svc`) and writes
// every other UTF-8 byte as `_XX` (uppercase hex), so `_` never appears except as an escape
// and decoding is unambiguous. The empty name, which has no bytes, is the lone `_`.

const EMPTY_NAME_TOKEN = '_';
const KEPT_CHAR = /^[A-Za-z0-9-]$/;
const HEX_PAIR = /^[0-9A-F]{2}$/;

export function encodeServiceToken(name: string): string {
  if (name === '') return EMPTY_NAME_TOKEN;
  let token = '';
  for (const char of name) {
    if (KEPT_CHAR.test(char)) {
      token += char;
      continue;
    }
    for (const byte of Buffer.from(char, 'utf8')) {
      token += '_' + byte.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return token;
}

export function decodeServiceToken(token: string): string {
  if (token === EMPTY_NAME_TOKEN) return '';
  if (token === '') throw new Error('Invalid service token: empty');
  const bytes: number[] = [];
  for (let i = 0; i < token.length; ) {
    const char = token[i]!;
    if (char === '_') {
      const hex = token.slice(i + 1, i + 3);
      if (!HEX_PAIR.test(hex)) {
        throw new Error(`Invalid service token ${JSON.stringify(token)}: bad escape at ${i}`);
      }
      const byte = parseInt(hex, 16);
      // One spelling per name: an escaped character that could have been kept is rejected.
      if (KEPT_CHAR.test(String.fromCharCode(byte))) {
        throw new Error(`Invalid service token ${JSON.stringify(token)}: needless escape at ${i}`);
      }
      bytes.push(byte);
      i += 3;
    } else if (KEPT_CHAR.test(char)) {
      bytes.push(char.charCodeAt(0));
      i += 1;
    } else {
      throw new Error(`Invalid service token ${JSON.stringify(token)}: unexpected ${JSON.stringify(char)}`);
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    throw new Error(`Invalid service token ${JSON.stringify(token)}: not UTF-8`);
  }
}
