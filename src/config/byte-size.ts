// Sizes such as scraper.body_limit and events.max_bytes: a plain integer of bytes or a
// number with a unit. SI units are powers of 1000 and IEC units powers of 1024, as their
// standards define them (16MiB = 16 777 216 bytes, 1MB = 1 000 000 bytes).

const BYTES_PER_UNIT: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

const SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/** Whole bytes in `text` (`16MiB`, `512KiB`, `1MB`, `1048576`). */
export function parseByteSize(text: string): number {
  const match = SIZE.exec(text.trim());
  const unit = match?.[2]?.toLowerCase() ?? '';
  const factor = unit === '' ? 1 : BYTES_PER_UNIT[unit];
  if (match === null || factor === undefined) {
    throw new Error(`${JSON.stringify(text)} is not a size (examples: 16MiB, 512KiB, 1MB, 1048576)`);
  }
  return Math.round(Number(match[1]) * factor);
}
