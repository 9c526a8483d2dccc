import { elementHead, elementIdentity, latestOccurrences, recordedLengths, splitPayloadBody } from './body-segments.js';

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

describe('splitPayloadBody of bodies as periskop clients write them', () => {
  const element = (key: string, total: number, extra = '') => `{"aggregation_key":"${key}","total_count":${total},"latest_errors":[${extra}]}`;

  it.each([
    ['compact', `{"target_uuid":"t","aggregated_errors":[${element('a', 1)},${element('b', 2)}]}`, [element('a', 1), element('b', 2)]],
    ['pretty-printed', `{\n  "aggregated_errors": [\n    { "aggregation_key" : "a", "total_count": 1 } ,\n    {"aggregation_key": "b", "total_count": 2}\n  ]\n}`, ['{ "aggregation_key" : "a", "total_count": 1 }', '{"aggregation_key": "b", "total_count": 2}']],
    ['a key member named in a string', `{"aggregated_errors":[${element('a', 1, '{"m":"aggregation_key","n":"{\\"aggregation_key\\":1}"}')},${element('b', 2)}]}`, [element('a', 1, '{"m":"aggregation_key","n":"{\\"aggregation_key\\":1}"}'), element('b', 2)]],
    ['a nested one first in its array', `{"aggregated_errors":[${element('a', 1, element('x', 9))}]}`, [element('a', 1, element('x', 9))]],
    ['another shape throughout', `{"aggregated_errors":[{"total_count":1,"aggregation_key":"c"},{"total_count":2,"aggregation_key":"d"}]}`, ['{"total_count":1,"aggregation_key":"c"}', '{"total_count":2,"aggregation_key":"d"}']],
  ])('splits a %s body exactly as a walk through all of it would', (_case, text, elements) => {
    expect(described(text)?.elements).toEqual(elements);
  });

  // Found by their key member, ranges can be off only where objects of that shape sit inside
  // elements, or elements of another shape between them: such a range is no single JSON value,
  // and inspectBody then parses the whole body (inspect-body.spec.ts).
  it('gives ranges that are no single JSON value when objects of the same shape are nested in an element', () => {
    const text = `{"aggregated_errors":[${element('a', 1, `{},${element('x', 9)}`)},${element('b', 2)}]}`;
    const elements = described(text)!.elements;
    expect(elements).not.toEqual([element('a', 1, `{},${element('x', 9)}`), element('b', 2)]);
    expect(() => elements.forEach((e) => JSON.parse(e))).toThrow(SyntaxError);
  });

  it.each([
    ['a truncated last element', `{"aggregated_errors":[${element('a', 1)},{"aggregation_key":"b"`],
    ['a member after the array missing its value', `{"aggregated_errors":[${element('a', 1)}],"x":}`],
    ['a number among the elements', `{"aggregated_errors":[${element('a', 1)},2,${element('b', 2)}]}`],
  ])('gives null for %s', (_case, text) => {
    expect(splitPayloadBody(Buffer.from(text))).toBeNull();
  });
});

describe('elementHead', () => {
  const head = (text: string) => elementHead(Buffer.from(text), 0);

  it.each([
    ['compact', '{"aggregation_key":"k","total_count":12,"x":1}', '12:"k"'],
    ['with whitespace', '{ "aggregation_key" : "k" ,\n "total_count" : 0 }', '0:"k"'],
    ['a key with escapes', '{"aggregation_key":"a\\"b","total_count":1}', '1:"a\\"b"'],
  ])('reads the total and key of a %s element', (_case, text, expected) => {
    expect(head(text)).toBe(expected);
  });

  it.each([
    ['the total first', '{"total_count":1,"aggregation_key":"k"}'],
    ['a negative total', '{"aggregation_key":"k","total_count":-1}'],
    ['a fractional total', '{"aggregation_key":"k","total_count":1.5}'],
    ['an exponent', '{"aggregation_key":"k","total_count":1e3}'],
    ['a key that is not a string', '{"aggregation_key":1,"total_count":1}'],
    ['no total', '{"aggregation_key":"k"}'],
  ])('gives null for %s', (_case, text) => {
    expect(head(text)).toBeNull();
  });
});

describe('splitPayloadBody with the lengths recorded of earlier elements', () => {
  const element = (key: string, total: number, extra = '') => `{"aggregation_key":"${key}","total_count":${total},"latest_errors":[${extra}]}`;
  const split = (text: string, lengths: [head: string, length: number][]) => {
    const body = Buffer.from(text);
    return splitPayloadBody(body, new Map(lengths))!.segments.map(({ start, end }) => body.toString('utf8', start, end));
  };

  it('splits by a recorded length that is right', () => {
    const text = `{"aggregated_errors":[${element('a', 1, '{"m":"x"}')},${element('b', 2)}]}`;
    expect(split(text, [['1:"a"', element('a', 1, '{"m":"x"}').length]])).toEqual([element('a', 1, '{"m":"x"}'), element('b', 2)]);
  });

  it.each([
    ['shorter', -3],
    ['longer', 4],
  ])('splits as without it by a recorded length %s than the element', (_case, delta) => {
    const text = `{"aggregated_errors":[${element('a', 1, '{"m":"x"}')},${element('b', 2)}]}`;
    expect(split(text, [['1:"a"', element('a', 1, '{"m":"x"}').length + delta]])).toEqual([element('a', 1, '{"m":"x"}'), element('b', 2)]);
  });

  it.each([
    ['elementIdentity', elementIdentity(12, '3:"k"'), [['3:"k"', 12]]],
    ['something else', 'x', []],
  ])('reads the lengths of %s', (_case, identity, lengths) => {
    expect([...recordedLengths([identity as string])]).toEqual(lengths);
  });
});

describe('latestOccurrences', () => {
  const ranges = (text: string) => {
    const body = Buffer.from(text);
    const found = latestOccurrences(body, 0);
    return found && { member: found.member, occurrences: found.occurrences.map(({ start, end, uuid }) => [body.toString('utf8', start, end), uuid]) };
  };

  it('finds each occurrence and its own uuid, not one nested in it', () => {
    const first = '{"uuid":"u1","http_context":{"request_headers":{"uuid":"header"}},"error":{"cause":{"uuid":"x"}}}';
    const second = '{ "error" : {} , "uuid" : "u\\"2" }';
    expect(ranges(`{"aggregation_key":"k","latest_errors":[${first}, ${second}],"total_count":2}`)).toEqual({
      member: 'latest_errors',
      occurrences: [
        [first, '"u1"'],
        [second, '"u\\"2"'],
      ],
    });
  });

  it.each([
    ['no uuid', 'latestErrors', '{"error":{}}', null],
    ['a uuid that is not a string', 'latest_errors', '{"uuid":7}', null],
    ['the uuid twice, as JSON.parse keeps the last', 'latest_errors', '{"uuid":"a","uuid":"b"}', '"b"'],
  ])('reads %s', (_case, member, occurrence, uuid) => {
    expect(ranges(`{"${member}":[${occurrence}]}`)).toEqual({ member, occurrences: [[occurrence, uuid]] });
  });

  it.each([
    ['no occurrences member', '{"aggregation_key":"k"}'],
    ['both spellings', '{"latest_errors":[],"latestErrors":[]}'],
    ['null occurrences', '{"latest_errors":null}'],
    ['an occurrence that is not an object', '{"latest_errors":[{"uuid":"a"},1]}'],
    ['an escape in a member name', '{"latest\\u005ferrors":[]}'],
    ['a truncated element', '{"latest_errors":[{"uuid":"a"}'],
  ])('gives null for %s', (_case, text) => {
    expect(latestOccurrences(Buffer.from(text), 0)).toBeNull();
  });
});
