import { bodyFramingOf, headEnd, keepAliveOf, parseAnswerHead, type AnswerHead } from './answer-head.js';
import { MalformedAnswer } from './malformed-answer.js';

const head = (text: string): AnswerHead => parseAnswerHead(text.replace(/\n/g, '\r\n'));

describe('headEnd', () => {
  it.each([
    ['finds the end just past an empty CRLF line', 'HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody', 0, 25],
    ['finds the end of a head with bare LF lines', 'HTTP/1.1 200 OK\nA: b\n\nbody', 0, 22],
    ['finds the end of a head of a status line only', 'HTTP/1.1 204 No Content\r\n\r\n', 0, 27],
    ['returns -1 while the empty line has not come', 'HTTP/1.1 200 OK\r\nA: b\r\n', 0, -1],
    ['returns -1 when the bytes stop between the CRLFs', 'HTTP/1.1 200 OK\r\nA: b\r\n\r', 0, -1],
    ['starts where it is told', 'xx\r\n\r\nHTTP/1.1 200 OK\r\n\r\n', 6, 25],
  ])('%s', (_behaviour, text, from, expected) => {
    const bytes = Buffer.from(text, 'latin1');
    expect(headEnd(bytes, from, bytes.length)).toBe(expected);
  });

  it('does not look past `to`', () => {
    const bytes = Buffer.from('HTTP/1.1 200 OK\r\n\r\n', 'latin1');
    expect(headEnd(bytes, 0, bytes.length - 1)).toBe(-1);
  });
});

describe('parseAnswerHead', () => {
  it.each([
    ['reads status, reason and version', 'HTTP/1.1 404 Not Found\n\n', { minorVersion: 1, status: 404, statusText: 'Not Found' }],
    ['reads HTTP/1.0', 'HTTP/1.0 200 OK\n\n', { minorVersion: 0, status: 200, statusText: 'OK' }],
    ['accepts a status line without a reason', 'HTTP/1.1 200\n\n', { minorVersion: 1, status: 200, statusText: '' }],
    ['keeps spaces inside the reason', 'HTTP/1.1 500 Internal Server Error\n\n', { minorVersion: 1, status: 500, statusText: 'Internal Server Error' }],
  ])('%s', (_behaviour, text, expected) => {
    expect(head(text)).toMatchObject(expected);
  });

  it.each([
    ['lower-cases names and trims values', 'HTTP/1.1 200 OK\nContent-Type:  application/json \n\n', [['content-type', 'application/json']]],
    ['joins repeated fields with a comma', 'HTTP/1.1 200 OK\nVary: a\nVary: b\n\n', [['vary', 'a, b']]],
    ['keeps the first of a repeated Location', 'HTTP/1.1 302 Found\nLocation: /a\nLocation: /b\n\n', [['location', '/a']]],
    ['accepts a Content-Length repeated with the same value', 'HTTP/1.1 200 OK\nContent-Length: 5\ncontent-length: 5\n\n', [['content-length', '5']]],
    ['joins an obs-fold continuation line with a space', 'HTTP/1.1 200 OK\nX-Long: a\n  b\n\n', [['x-long', 'a b']]],
    ['reads an empty value', 'HTTP/1.1 200 OK\nX-Empty:\n\n', [['x-empty', '']]],
    ['keeps obs-text bytes as latin1', 'HTTP/1.1 200 OK\nX-Name: caf\xe9\n\n', [['x-name', 'caf\xe9']]],
  ])('%s', (_behaviour, text, expected) => {
    expect([...head(text).headers]).toEqual(expected);
  });

  it.each([
    ['an HTTP/2 status line', 'HTTP/2 200 OK\n\n', 'HPE_INVALID_STATUS', /^not an HTTP\/1\.x status line: "HTTP\/2 200 OK"$/],
    ['a status of two digits', 'HTTP/1.1 20 OK\n\n', 'HPE_INVALID_STATUS', /status line/],
    ['no status line at all', '{"aggregated_errors": []}\n\n', 'HPE_INVALID_STATUS', /status line: "\{/],
    ['a line without a colon, naming the line', 'HTTP/1.1 200 OK\nA: b\nnonsense\n\n', 'HPE_INVALID_HEADER_TOKEN', /^header line 2 is no "name: value" field: "nonsense"$/],
    ['a space in a field name', 'HTTP/1.1 200 OK\nBad Name: x\n\n', 'HPE_INVALID_HEADER_TOKEN', /header line 1/],
    ['a control character in a value', 'HTTP/1.1 200 OK\nA: b\x00c\n\n', 'HPE_INVALID_HEADER_TOKEN', /^control character in header line 1/],
    ['a continuation line first', 'HTTP/1.1 200 OK\n continued\n\n', 'HPE_INVALID_HEADER_TOKEN', /header line 1 continues no header field/],
    ['two different Content-Lengths', 'HTTP/1.1 200 OK\nContent-Length: 5\nContent-Length: 6\n\n', 'HPE_UNEXPECTED_CONTENT_LENGTH', /5 and 6/],
  ])('refuses %s', (_case, text, code, message) => {
    const attempt = () => head(text);
    expect(attempt).toThrow(MalformedAnswer);
    expect(attempt).toThrow(message);
    expect(() => head(text)).toThrow(expect.objectContaining({ code }));
  });
});

describe('bodyFramingOf', () => {
  it.each([
    ['a declared length', 'HTTP/1.1 200 OK\nContent-Length: 42\n\n', { kind: 'length', bytes: 42 }],
    ['chunks', 'HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n', { kind: 'chunked' }],
    ['chunks after another coding', 'HTTP/1.1 200 OK\nTransfer-Encoding: gzip, Chunked\n\n', { kind: 'chunked' }],
    ['chunks rather than a length sent beside them', 'HTTP/1.1 200 OK\nContent-Length: 3\nTransfer-Encoding: chunked\n\n', { kind: 'chunked' }],
    ['the close, for a coding that does not end in chunked', 'HTTP/1.1 200 OK\nTransfer-Encoding: gzip\n\n', { kind: 'until-close' }],
    ['the close, when nothing is declared', 'HTTP/1.1 200 OK\n\n', { kind: 'until-close' }],
    ['no body for 204', 'HTTP/1.1 204 No Content\nContent-Length: 10\n\n', { kind: 'none' }],
    ['no body for 304', 'HTTP/1.1 304 Not Modified\n\n', { kind: 'none' }],
    ['a body of 0 bytes', 'HTTP/1.1 200 OK\nContent-Length: 0\n\n', { kind: 'length', bytes: 0 }],
  ])('ends a body by %s', (_behaviour, text, expected) => {
    expect(bodyFramingOf(head(text))).toEqual(expected);
  });

  it.each([
    ['a negative length', '-1'],
    ['a length with a sign', '+5'],
    ['a length that is no number', 'many'],
    ['a length of 16 digits (past 2^53 bytes, no body the scraper reads)', '1234567890123456'],
  ])('refuses %s', (_case, value) => {
    expect(() => bodyFramingOf(head(`HTTP/1.1 200 OK\nContent-Length: ${value}\n\n`))).toThrow(expect.objectContaining({ code: 'HPE_INVALID_CONTENT_LENGTH' }));
  });
});

describe('keepAliveOf', () => {
  it.each([
    ['keeps an HTTP/1.1 connection by default', 'HTTP/1.1 200 OK\nContent-Length: 1\n\n', { reusable: true, idleMs: null }],
    ['closes one the target says it closes', 'HTTP/1.1 200 OK\nContent-Length: 1\nConnection: close\n\n', { reusable: false, idleMs: null }],
    ['reads close among other connection options', 'HTTP/1.1 200 OK\nContent-Length: 1\nConnection: Upgrade, Close\n\n', { reusable: false, idleMs: null }],
    ['closes an HTTP/1.0 connection by default', 'HTTP/1.0 200 OK\nContent-Length: 1\n\n', { reusable: false, idleMs: null }],
    ['keeps an HTTP/1.0 connection that asks for it', 'HTTP/1.0 200 OK\nContent-Length: 1\nConnection: keep-alive\n\n', { reusable: true, idleMs: null }],
    ['closes one whose body ends at the close', 'HTTP/1.1 200 OK\n\n', { reusable: false, idleMs: null }],
    ['closes one whose body was both chunked and of a declared length', 'HTTP/1.1 200 OK\nContent-Length: 3\nTransfer-Encoding: chunked\n\n', { reusable: false, idleMs: null }],
    ['keeps a chunked one', 'HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n', { reusable: true, idleMs: null }],
    ['idles a second less than the Keep-Alive timeout hint', 'HTTP/1.1 200 OK\nContent-Length: 1\nKeep-Alive: timeout=5, max=100\n\n', { reusable: true, idleMs: 4000 }],
    ['reads the timeout after other Keep-Alive parameters', 'HTTP/1.1 200 OK\nContent-Length: 1\nKeep-Alive: max=100, timeout=3\n\n', { reusable: true, idleMs: 2000 }],
    ['closes one whose hint leaves no idle time', 'HTTP/1.1 200 OK\nContent-Length: 1\nKeep-Alive: timeout=1\n\n', { reusable: false, idleMs: null }],
  ])('%s', (_behaviour, text, expected) => {
    const parsed = head(text);
    expect(keepAliveOf(parsed, bodyFramingOf(parsed))).toEqual(expected);
  });
});
