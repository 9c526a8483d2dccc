import type { ErrorOccurrence } from '../../src/scraper/payload.types.js';

/** An occurrence told apart from others by its uuid and timestamp alone (error E, no stack trace, no HTTP context). */
export function occurrence(uuid: string, timestamp: number): ErrorOccurrence {
  return { error: { class: 'E', message: 'm', stacktrace: [], cause: null }, uuid, timestamp, severity: 'error', http_context: null };
}
