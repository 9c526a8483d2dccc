// Buffers for scraped bodies, reused from one scrape to the next. A round of a thousand 1 MB
// answers allocated a fresh 1 MB buffer for each: fresh pages to fault in, and external memory
// that only a full garbage collection gives back. A body is read into a buffer of the pool, inspected
// synchronously, and the buffer is handed back: the pool holds at most as many as bodies are
// read at once.

/** Bodies larger than this get a buffer of their own, not kept. */
export const MAX_POOLED_BYTES = 4 * 1024 * 1024;

/** A body of unknown length starts in a buffer of this size at least. */
const MIN_BYTES = 64 * 1024;

export class BodyBuffers {
  private readonly free: Buffer[] = [];

  constructor(private readonly maxKept: number) {}

  /** A buffer of at least `bytes` bytes, the largest kept when `bytes` is 0 (its content is garbage). */
  take(bytes: number): Buffer {
    const index = bytes === 0 ? (this.free.length > 0 ? 0 : -1) : this.free.findIndex((buffer) => buffer.byteLength >= bytes);
    if (index >= 0) return this.free.splice(index, 1)[0]!;
    // Room to grow: the next answer of the same target is usually a little longer.
    return Buffer.allocUnsafeSlow(bytes <= MAX_POOLED_BYTES ? Math.min(MAX_POOLED_BYTES, Math.max(MIN_BYTES, Math.ceil(bytes * 1.25))) : bytes);
  }

  /** Hands back a buffer from take(): nothing may use it afterwards. */
  give(buffer: Buffer): void {
    if (buffer.byteLength > MAX_POOLED_BYTES) return;
    this.free.push(buffer);
    // Largest first (take(0) hands out the first); a smaller one never serves a larger body.
    this.free.sort((a, b) => b.byteLength - a.byteLength);
    if (this.free.length > this.maxKept) this.free.length = this.maxKept;
  }
}
