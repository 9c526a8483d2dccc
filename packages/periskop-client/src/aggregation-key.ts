// Aggregation keys as periskop-go computes them: the class, "@", and the FNV-1a 32-bit hash of
// the message followed by the first four stack lines joined with nothing, written in lower-case
// hex without zero padding (Go's "%x"), so a hash below 0x10000000 has fewer than 8 digits.

/** periskop-go's MaxTraces: deeper frames vary with the caller and would split one error. */
export const STACKTRACE_HEAD_LINES = 4;

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

const utf8 = new TextEncoder();

/** FNV-1a 32-bit over the UTF-8 bytes of the text (Go's `[]byte(s)`), as an unsigned integer. */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of utf8.encode(text)) {
    hash = Math.imul(hash ^ byte, FNV_PRIME) >>> 0;
  }
  return hash;
}

export function aggregationKey(errorClass: string, message: string, stacktrace: readonly string[]): string {
  const stacktraceHead = stacktrace.slice(0, STACKTRACE_HEAD_LINES).join('');
  return `${errorClass}@${fnv1a32(message + stacktraceHead).toString(16)}`;
}
