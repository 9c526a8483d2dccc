import type { ErrorDetails } from './types.js';

/** Deeper chains are cut rather than rejected: reporting an error must never fail. */
export const MAX_REPORTED_CAUSES = 16;

/** What a thrown value looks like in the scraped format; anything can be thrown in JavaScript. */
export function errorDetailsOf(thrown: unknown): ErrorDetails {
  return detailsWithCauses(thrown, 0, new Set());
}

function detailsWithCauses(thrown: unknown, depth: number, seen: Set<unknown>): ErrorDetails {
  seen.add(thrown);
  const cause = isObject(thrown) ? safeRead(thrown, 'cause') : undefined;
  // Cycles (an error that is its own cause) end where they loop back.
  const followCause = cause !== undefined && depth < MAX_REPORTED_CAUSES && !seen.has(cause);
  return {
    class: classOf(thrown),
    message: messageOf(thrown),
    stacktrace: stackLinesOf(thrown),
    cause: followCause ? detailsWithCauses(cause, depth + 1, seen) : null,
  };
}

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/** A property read that survives hostile getters and proxies. */
function safeRead(value: object, name: string): unknown {
  try {
    return (value as Record<string, unknown>)[name];
  } catch {
    return undefined;
  }
}

function classOf(thrown: unknown): string {
  if (thrown === null) return 'null';
  if (!isObject(thrown)) return typeof thrown;
  const constructorName = (safeRead(thrown, 'constructor') as { name?: unknown } | undefined)?.name;
  if (typeof constructorName === 'string' && constructorName !== '') return constructorName;
  const name = safeRead(thrown, 'name');
  return typeof name === 'string' && name !== '' ? name : 'Object';
}

function messageOf(thrown: unknown): string {
  if (typeof thrown === 'string') return thrown;
  if (!isObject(thrown)) return String(thrown);
  const message = safeRead(thrown, 'message');
  if (typeof message === 'string') return message;
  try {
    return JSON.stringify(thrown) ?? String(thrown);
  } catch {
    try {
      return String(thrown);
    } catch {
      return '';
    }
  }
}

// A V8 stack starts with "<name>: <message>", which spans several lines when the message does;
// the frames are the lines from the first "at " on. Other formats lose only their first line.
function stackLinesOf(thrown: unknown): string[] {
  const stack = isObject(thrown) ? safeRead(thrown, 'stack') : undefined;
  if (typeof stack !== 'string') return [];
  const lines = stack.split('\n');
  const firstFrame = lines.findIndex((line) => /^\s+at /.test(line));
  return lines
    .slice(firstFrame === -1 ? 1 : firstFrame)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
