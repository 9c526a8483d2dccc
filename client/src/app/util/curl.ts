import type { HttpContext } from '../api/model';

/** Quotes a word for a POSIX shell: 'it'\''s'. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_\-.,:/@%+=]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The request that failed, as a curl command a person can paste into a shell: method, every
 * header, the body, the URL — each quoted, so that no value of the request is run as shell.
 */
export function curlCommand(context: HttpContext | null | undefined): string | null {
  if (!context || !context.request_url) return null;
  const parts = ['curl'];
  const method = (context.request_method || 'GET').toUpperCase();
  if (method !== 'GET' || context.request_body) parts.push('-X', shellQuote(method));
  for (const [name, value] of Object.entries(context.request_headers ?? {})) {
    parts.push('-H', shellQuote(`${name}: ${value}`));
  }
  if (context.request_body) parts.push('--data-raw', shellQuote(context.request_body));
  parts.push(shellQuote(context.request_url));
  return parts.join(' ');
}
