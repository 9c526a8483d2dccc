// A TCP port as written in a flag, an environment variable or the file.

export const PORT_RANGE = '1..65535';

export function isPortNumber(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** The port in `text`; throws with a message that quotes it. */
export function parsePortNumber(text: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!isPortNumber(port)) throw new Error(`${JSON.stringify(text)} is not a port number (${PORT_RANGE})`);
  return port;
}
