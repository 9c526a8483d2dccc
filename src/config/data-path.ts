import path from 'node:path';

// Relative paths stay relative: like the Go server, they are opened against the process
// working directory. Normalising only removes noise (`./data//events/` → `data/events`).
export function normalizeDataPath(text: string): string {
  if (text === ':memory:') return text; // SQLite's name for an in-memory database, not a path
  const normalized = path.normalize(text);
  const isRoot = normalized === path.parse(normalized).root;
  return !isRoot && normalized.endsWith(path.sep) ? normalized.slice(0, -1) : normalized;
}
