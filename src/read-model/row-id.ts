import { createHash } from 'node:crypto';

/** Primary key of a row whose natural key is free text of any length (see entities.ts). */
export function rowId(...naturalKey: string[]): string {
  return createHash('sha256').update(JSON.stringify(naturalKey)).digest('hex');
}
