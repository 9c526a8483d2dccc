import { splitPayloadBody } from './body-segments.js';

/** The split as text: the member, the elements' text, and what remains of the body. */
function described(text: string) {
  const body = Buffer.from(text);
  const split = splitPayloadBody(body);
  if (!split) return null;
  return {
    member: split.member,
    elements: split.segments.map(({ start, end }) => body.toString('utf8', start, end)),
    skeleton: body.toString('utf8', 0, split.open + 1) + body.toString('utf8', split.close),
  };
}

describe('splitPayloadBody', () => {
  it.each([
    ['a compact body', '{"target_uuid":"t","aggregated_errors":[{"a":1},{"b":2}]}', ['{"a":1}', '{"b":2}'], '{"target_uuid":"t","aggregated_errors":[]}'],
    ['JSON whitespace everywhere', ' \n{ "aggregated_errors" :\t[ {"a":1} ,\r\n {"b":[2]} ] , "x" : 1 }\n', ['{"a":1}', '{"b":[2]}'], ' \n{ "aggregated_errors" :\t[] , "x" : 1 }\n'],
    ['an empty array', '{"aggregated_errors":[ ]}', [], '{"aggregated_errors":[]}'],
    [
      'brackets and escaped quotes inside strings',
      '{"aggregated_errors":[{"m":"}]\\"{[","n":"\\\\"},{"o":"\\\\\\""}]}',
      ['{"m":"}]\\"{[","n":"\\\\"}', '{"o":"\\\\\\""}'],
      '{"aggregated_errors":[]}',
    ],
    [
      'other members of every kind around it',
      '{"s":"a]b","o":{"k":[1,{"x":"}"}]},"n":-1.5e3,"t":true,"z":null,"aggregated_errors":[{}],"after":[]}',
      ['{}'],
      '{"s":"a]b","o":{"k":[1,{"x":"}"}]},"n":-1.5e3,"t":true,"z":null,"aggregated_errors":[],"after":[]}',
    ],
    ['non-ASCII text', '{"aggregated_errors":[{"m":"é✓😀"}],"u":"ü"}', ['{"m":"é✓😀"}'], '{"aggregated_errors":[],"u":"ü"}'],
  ])('splits %s', (_case, body, elements, skeleton) => {
    expect(described(body)).toEqual({ member: 'aggregated_errors', elements, skeleton });
  });

  it('splits the camelCase spelling, naming it', () => {
    expect(described('{"aggregatedErrors":[{"a":1}]}')).toEqual({ member: 'aggregatedErrors', elements: ['{"a":1}'], skeleton: '{"aggregatedErrors":[]}' });
  });

  it.each([
    ['an empty body', ''],
    ['a top-level array', '[{"aggregated_errors":[]}]'],
    ['a byte-order mark', '\ufeff{"aggregated_errors":[]}'],
    ['an empty object', '{}'],
    ['no aggregated errors member', '{"target_uuid":"t"}'],
    ['aggregated_errors null', '{"aggregated_errors":null}'],
    ['aggregated_errors an object', '{"aggregated_errors":{}}'],
    ['an element that is not an object', '{"aggregated_errors":[{"a":1},2]}'],
    ['both spellings', '{"aggregated_errors":[],"aggregatedErrors":[]}'],
    ['the member twice', '{"aggregated_errors":[{}],"aggregated_errors":[]}'],
    ['an escape in a member name', '{"aggregated\\u005ferrors":[{}],"aggregatedErrors":[]}'],
    ['a missing comma between elements', '{"aggregated_errors":[{} {}]}'],
    ['a trailing comma in the array', '{"aggregated_errors":[{},]}'],
    ['a missing colon', '{"aggregated_errors" [{}]}'],
    ['a member name that is not a string', '{aggregated_errors:[{}]}'],
    ['a missing value', '{"x":,"aggregated_errors":[]}'],
    ['text after the object', '{"aggregated_errors":[]} x'],
    ['an unterminated string', '{"aggregated_errors":[{"m":"abc}]}'],
    ['a truncated body', '{"aggregated_errors":[{"m":"abc"},{"n":'],
  ])('gives null for %s', (_case, body) => {
    expect(splitPayloadBody(Buffer.from(body))).toBeNull();
  });
});
