// Bytes of an answer that came with its head, before its body's read has started (it waits for
// a body slot). Target connections read into one shared buffer (target-connection.ts), so
// these must be copied out; into blocks reused from one answer to the next, not a fresh
// buffer per answer. Their connection stops reading meanwhile: a head's read is 4 KiB, one
// block per answer (a TLS record may bring up to 16 KiB).

const BLOCK_BYTES = 4 * 1024;

/** Blocks kept for reuse: about as many answers as wait for a body slot at once (MAX_CONCURRENT_SCRAPES). */
const MAX_KEPT_BLOCKS = 64;

const spareBlocks: Buffer[] = [];

export class HeldBytes {
  private readonly blocks: Buffer[] = [];
  /** Bytes used of the last block. */
  private lastUsed = 0;

  get empty(): boolean {
    return this.blocks.length === 0;
  }

  /** How many bytes are held. */
  get bytes(): number {
    return this.blocks.length === 0 ? 0 : (this.blocks.length - 1) * BLOCK_BYTES + this.lastUsed;
  }

  /** Copies `bytes[start, end)` after what is held. */
  hold(bytes: Buffer, start: number, end: number): void {
    while (start < end) {
      if (this.blocks.length === 0 || this.lastUsed === BLOCK_BYTES) {
        this.blocks.push(spareBlocks.pop() ?? Buffer.allocUnsafeSlow(BLOCK_BYTES));
        this.lastUsed = 0;
      }
      const block = this.blocks[this.blocks.length - 1]!;
      const count = Math.min(end - start, BLOCK_BYTES - this.lastUsed);
      bytes.copy(block, this.lastUsed, start, start + count);
      this.lastUsed += count;
      start += count;
    }
  }

  /** Hands every held byte to `take`, in order, then lets the blocks go. */
  release(take: (bytes: Buffer, start: number, end: number) => void): void {
    const blocks = this.blocks.splice(0);
    const lastUsed = this.lastUsed;
    this.lastUsed = 0;
    try {
      blocks.forEach((block, i) => take(block, 0, i === blocks.length - 1 ? lastUsed : BLOCK_BYTES));
    } finally {
      for (const block of blocks) if (spareBlocks.length < MAX_KEPT_BLOCKS) spareBlocks.push(block);
    }
  }

  /** Lets the blocks go unread. */
  drop(): void {
    this.release(() => {});
  }
}
