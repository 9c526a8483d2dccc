import { partitionSubjectPrefix } from './partition.js';
import { encodeServiceToken } from './subject-token.js';

// Which relative subjects belong to one service: `[p<k>.]<type>.<service-token>`, split events'
// chunks (`[p<k>.]chunk.<service-token>`) included. The one place that knows the subject layout
// for filtering.

/** A NATS-style filter (`*` = one token) over relative subjects; `partitions` as events.partitions. */
export function serviceSubjectFilter(service: string, partitions = 1): string {
  return `${partitionSubjectPrefix(service, partitions)}*.${encodeServiceToken(service)}`;
}

/** Whether a relative subject matches a filter: `*` matches one token, `>` the rest (one or more). */
export function subjectMatches(filter: string, subject: string): boolean {
  const wanted = filter.split('.');
  const tokens = subject.split('.');
  for (let i = 0; i < wanted.length; i++) {
    if (wanted[i] === '>') return tokens.length > i;
    if (i >= tokens.length || (wanted[i] !== '*' && wanted[i] !== tokens[i])) return false;
  }
  return tokens.length === wanted.length;
}

/**
 * For a filter `*.<rest>` with no other wildcard: `<rest>`, which an index on "the subject
 * after its first token" can look up directly. Null for any other filter.
 */
export function tailAfterFirstToken(filter: string): string | null {
  if (!filter.startsWith('*.')) return null;
  const rest = filter.slice(2);
  return rest.split('.').some((token) => token === '*' || token === '>' || token === '') ? null : rest;
}
