import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/**
 * A response body prepared once and sent many times: the bytes as a Buffer (no string to
 * bytes conversion per request), a strong ETag computed once (Express would hash the whole
 * body on every send), and its gzip encoding, compressed on the first request that accepts it.
 */
export class PreparedBody {
  readonly bytes: Buffer;
  readonly etag: string;
  /** The ETag of the gzip encoding: another representation, so another tag. */
  readonly gzipEtag: string;
  private gzipped: Promise<Buffer> | null = null;

  constructor(text: string) {
    this.bytes = Buffer.from(text);
    const hash = createHash('sha1').update(this.bytes).digest('base64url');
    this.etag = `"${hash}"`;
    this.gzipEtag = `"${hash}-gzip"`;
  }

  gzip(): Promise<Buffer> {
    // Asynchronous: compressing MBs must not stall the other requests. A failure is not kept.
    this.gzipped ??= gzipAsync(this.bytes).catch((error: unknown) => {
      this.gzipped = null;
      throw error;
    });
    return this.gzipped;
  }
}
