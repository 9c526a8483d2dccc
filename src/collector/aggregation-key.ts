// Aggregation keys as periskop-go computes them (types.go, aggregationKey): the class, "@", and
// the FNV-1a 32-bit hash of the message followed by the first four stack lines joined with
// nothing. Unlike periskop-go's "%x" the hash is zero-padded to 8 hex digits, so every key of a
// class has the same shape.

/** periskop-go's MaxTraces: deeper frames vary with the caller and would split one error. */
export const STACKTRACE_HEAD_LINES = 4;

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a 32-bit over the UTF-8 bytes of the text, as an unsigned integer. */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash = Math.imul(hash ^ byte, FNV_PRIME) >>> 0;
  }
  return hash;
}

// periskop-go formats the hash with %x: no zero padding.
export function aggregationKey(errorClass: string, message: string, stacktrace: readonly string[]): string {
  const stacktraceHead = stacktrace.slice(0, STACKTRACE_HEAD_LINES).join('');
  const hash = fnv1a32(message + stacktraceHead).toString(16);
  return `${errorClass}@${hash}`;
}
