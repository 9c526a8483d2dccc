import { ChunkedBody, MAX_CHUNK_LINE_BYTES, MAX_TRAILER_BYTES } from './chunked-body.js';

/** Feeds `coded` in pieces of `piece` bytes; the body's data and where decoding stopped. */
function decode(coded: string, piece: number): { data: string; stoppedAt: number; done: boolean } {
  const bytes = Buffer.from(coded, 'latin1');
  const decoder = new ChunkedBody();
  let data = '';
  let at = 0;
  while (at < bytes.length && !decoder.done) {
    const end = Math.min(bytes.length, at + piece);
    const stop = decoder.feed(bytes, at, end, (from, to) => (data += bytes.toString('latin1', from, to)));
    if (stop < end && !decoder.done) throw new Error(`stopped at ${stop} before ${end} without being done`);
    at = stop;
  }
  return { data, stoppedAt: at, done: decoder.done };
}

const PIECES = [1, 2, 3, 7, 1000];

describe('ChunkedBody', () => {
  it.each([
    ['decodes chunks', '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n', 'hello world'],
    ['reads hex sizes in either case', 'a\r\n0123456789\r\nA\r\nabcdefghij\r\n0\r\n\r\n', '0123456789abcdefghij'],
    ['ignores chunk extensions', '5;name=value\r\nhello\r\n0;last\r\n\r\n', 'hello'],
    ['accepts spaces before an extension', '5 ;x\r\nhello\r\n0\r\n\r\n', 'hello'],
    ['skips trailer fields', '5\r\nhello\r\n0\r\nX-Checksum: abc\r\nX-More: d\r\n\r\n', 'hello'],
    ['accepts bare LF line ends', '5\nhello\n0\n\n', 'hello'],
    ['reads an empty body', '0\r\n\r\n', ''],
    ['passes CRLF inside the data through', '4\r\n\r\n\r\n\r\n0\r\n\r\n', '\r\n\r\n'],
    ['reads leading zeros in a size', '0005\r\nhello\r\n0\r\n\r\n', 'hello'],
  ])('%s, whatever pieces the bytes come in', (_behaviour, coded, expected) => {
    for (const piece of PIECES) expect(decode(coded, piece)).toEqual({ data: expected, stoppedAt: Buffer.byteLength(coded, 'latin1'), done: true });
  });

  it('stops just past the body, leaving the bytes after it', () => {
    for (const piece of PIECES) expect(decode('2\r\nhi\r\n0\r\n\r\nHTTP/1.1 200 OK', piece)).toMatchObject({ data: 'hi', stoppedAt: 12, done: true });
  });

  it('is not done while the last chunk or its trailer has not come', () => {
    expect(decode('5\r\nhello\r\n', 3).done).toBe(false);
    expect(decode('5\r\nhello\r\n0\r\n', 3).done).toBe(false);
    expect(decode('5\r\nhello\r\n0\r\nX: y\r\n', 3).done).toBe(false);
  });

  it.each([
    ['a size that is no hex number', 'zz\r\n', 'HPE_INVALID_CHUNK_SIZE', 'chunked body: expected a hex chunk size, got "z" at byte 0'],
    ['garbage right after a size', '5x\r\nhello\r\n0\r\n\r\n', 'HPE_INVALID_CHUNK_SIZE', 'chunked body: expected ";" or the line\'s end after the chunk size, got "x" at byte 1'],
    ['an empty size line', '\r\nhello', 'HPE_INVALID_CHUNK_SIZE', 'chunked body: expected a hex chunk size, got byte 0x0d at byte 0'],
    ['data longer than its size', '3\r\nhello\r\n0\r\n\r\n', 'HPE_STRICT', 'chunked body: expected CRLF after a chunk\'s data, got "l" at byte 6'],
    ['a CR not followed by LF after the data', '2\r\nhi\r\r0\r\n\r\n', 'HPE_STRICT', 'chunked body: expected CRLF after a chunk\'s data, got byte 0x0d at byte 6'],
    ['a size of more than 13 hex digits', '10000000000000\r\n', 'HPE_INVALID_CHUNK_SIZE', 'chunked body: chunk size of more than 13 hex digits at byte 13'],
    ['a control character in an extension', '5;a\x00\r\nhello', 'HPE_INVALID_CHUNK_SIZE', 'chunked body: byte 0x00 in a chunk-size line at byte 3'],
    ['a size line of endless extensions', `5;${'x'.repeat(MAX_CHUNK_LINE_BYTES)}\r\n`, 'HPE_INVALID_CHUNK_SIZE', `chunked body: chunk-size line longer than ${MAX_CHUNK_LINE_BYTES} bytes at byte ${MAX_CHUNK_LINE_BYTES}`],
    ['an endless trailer', `0\r\nX: ${'y'.repeat(MAX_TRAILER_BYTES)}`, 'HPE_HEADER_OVERFLOW', `chunked body: trailer section longer than ${MAX_TRAILER_BYTES} bytes at byte ${3 + MAX_TRAILER_BYTES}`],
  ])('refuses %s, naming the byte', (_case, coded, code, message) => {
    for (const piece of PIECES) {
      expect(() => decode(coded, piece)).toThrow(message);
      expect(() => decode(coded, piece)).toThrow(expect.objectContaining({ code }));
    }
  });
});
