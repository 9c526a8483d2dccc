import { gunzipSync } from 'node:zlib';
import { PreparedBody } from './prepared-body.js';

describe('PreparedBody', () => {
  it.each([
    ['an empty list', '[]\n'],
    ['non-ASCII text', '[{"aggregation_key":"Fehler@größe ✓"}]\n'],
    ['a large body', `${JSON.stringify(Array.from({ length: 5_000 }, (_, i) => ({ aggregation_key: `E${i}`, total_count: i })))}\n`],
  ])('gzips %s back to the same bytes', async (_name, text) => {
    const body = new PreparedBody(text);
    expect(body.bytes.toString()).toBe(text);
    expect(gunzipSync(await body.gzip()).equals(body.bytes)).toBe(true);
  });

  it('compresses once', async () => {
    const body = new PreparedBody('[1]\n');
    expect(await body.gzip()).toBe(await body.gzip());
  });

  it('tags the two encodings apart and the same text alike', () => {
    const body = new PreparedBody('[1]\n');
    expect(body.gzipEtag).not.toBe(body.etag);
    expect(new PreparedBody('[1]\n').etag).toBe(body.etag);
    expect(new PreparedBody('[2]\n').etag).not.toBe(body.etag);
  });
});
