import { MalformedAnswer } from './malformed-answer.js';

// The chunked transfer coding (RFC 9112 §7.1), decoded as its bytes arrive, in whatever pieces
// the socket hands them over. Pure: it reports where the body's data lies in the bytes given
// and never copies them.

/** A chunk-size line (size and extensions) may not exceed this. */
export const MAX_CHUNK_LINE_BYTES = 4096;

/** The trailer section may not exceed this. */
export const MAX_TRAILER_BYTES = 16 * 1024;

type Step =
  | 'size' // hex digits of the chunk size
  | 'extension' // after the size: extensions, up to the line's end
  | 'data'
  | 'data-end' // the CRLF after a chunk's data
  | 'trailer-line-start'
  | 'trailer-line'
  | 'done';

export class ChunkedBody {
  private step: Step = 'size';
  private size = 0;
  private digits = 0;
  /** Bytes of the current chunk line, or of the trailer section. */
  private lineBytes = 0;
  private trailerBytes = 0;
  private dataLeft = 0;
  /** Whether data-end has seen the CR of its CRLF. */
  private sawCr = false;
  /** Bytes of the coded body consumed so far, for error messages. */
  private offset = 0;

  get done(): boolean {
    return this.step === 'done';
  }

  /**
   * Decodes `bytes[start, end)`, calling `data` with each range of body data in them. Returns
   * where it stopped: `end`, or just past the last chunk's trailer once `done` (the rest is not
   * this body's). Throws MalformedAnswer naming the offending byte's offset in the coded body.
   */
  feed(bytes: Uint8Array, start: number, end: number, data: (start: number, end: number) => void): number {
    let at = start;
    while (at < end && this.step !== 'done') {
      if (this.step === 'data') {
        const to = Math.min(end, at + this.dataLeft);
        data(at, to);
        this.dataLeft -= to - at;
        this.offset += to - at;
        at = to;
        if (this.dataLeft === 0) this.step = 'data-end';
        continue;
      }
      this.byte(bytes[at]!);
      this.offset += 1;
      at += 1;
    }
    return at;
  }

  private byte(b: number): void {
    switch (this.step) {
      case 'size': {
        const digit = hexValue(b);
        if (digit >= 0) {
          this.digits += 1;
          // 13 hex digits stay below 2^53; no body the scraper reads comes near that.
          if (this.digits > 13) throw this.malformed('HPE_INVALID_CHUNK_SIZE', 'chunk size of more than 13 hex digits');
          this.size = this.size * 16 + digit;
          this.lineByte();
          return;
        }
        if (this.digits === 0) throw this.malformed('HPE_INVALID_CHUNK_SIZE', `expected a hex chunk size, got ${describe(b)}`);
        if (b !== 0x3b && b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x0a) throw this.malformed('HPE_INVALID_CHUNK_SIZE', `expected ";" or the line's end after the chunk size, got ${describe(b)}`);
        this.step = 'extension';
        this.byte(b);
        return;
      }
      case 'extension':
        if (b === 0x0a) return this.sizeLineEnd();
        // Extensions (";name=value") are ignored; a control character other than CR or tab is no extension.
        if (b !== 0x0d && b !== 0x09 && (b < 0x20 || b === 0x7f)) throw this.malformed('HPE_INVALID_CHUNK_SIZE', `${describe(b)} in a chunk-size line`);
        this.lineByte();
        return;
      case 'data-end':
        if (b === 0x0d && !this.sawCr) {
          this.sawCr = true;
          return;
        }
        if (b !== 0x0a) throw this.malformed('HPE_STRICT', `expected CRLF after a chunk's data, got ${describe(b)}`);
        this.sawCr = false;
        this.startSizeLine();
        return;
      case 'trailer-line-start':
        if (b === 0x0d) return this.trailerByte();
        if (b === 0x0a) {
          this.step = 'done';
          return;
        }
        this.step = 'trailer-line';
        this.trailerByte();
        return;
      case 'trailer-line':
        this.trailerByte();
        if (b === 0x0a) this.step = 'trailer-line-start';
        return;
      case 'data':
      case 'done':
        throw new Error(`ChunkedBody.byte in step ${this.step}`);
      default: {
        const never: never = this.step;
        throw new Error(`unknown step ${String(never)}`);
      }
    }
  }

  private sizeLineEnd(): void {
    if (this.size === 0) {
      this.step = 'trailer-line-start';
      return;
    }
    this.dataLeft = this.size;
    this.step = 'data';
  }

  private startSizeLine(): void {
    this.step = 'size';
    this.size = 0;
    this.digits = 0;
    this.lineBytes = 0;
  }

  private lineByte(): void {
    this.lineBytes += 1;
    if (this.lineBytes > MAX_CHUNK_LINE_BYTES) throw this.malformed('HPE_INVALID_CHUNK_SIZE', `chunk-size line longer than ${MAX_CHUNK_LINE_BYTES} bytes`);
  }

  private trailerByte(): void {
    this.trailerBytes += 1;
    if (this.trailerBytes > MAX_TRAILER_BYTES) throw this.malformed('HPE_HEADER_OVERFLOW', `trailer section longer than ${MAX_TRAILER_BYTES} bytes`);
  }

  private malformed(code: string, what: string): MalformedAnswer {
    return new MalformedAnswer(code, `chunked body: ${what} at byte ${this.offset}`);
  }
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  return -1;
}

function describe(b: number): string {
  return b >= 0x21 && b <= 0x7e ? `"${String.fromCharCode(b)}"` : `byte 0x${b.toString(16).padStart(2, '0')}`;
}
