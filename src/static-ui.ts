import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The built Angular UI as static files. express.static alone asks the file system (a stat) for
 * every request that reaches it, API calls included: under load that was a good part of each
 * GET /services/:s/errors/. The build does not change while the server runs, so its paths are
 * listed once and only requests for one of them go to express.static (which still answers
 * them as before: files, directory redirects, index.html).
 */
export function staticUi(dir: string): RequestHandler {
  const serve = express.static(dir);
  const paths = new Set(['/', ...listPaths(dir, '')]);
  return (request: Request, response: Response, next: NextFunction) => {
    let path: string;
    try {
      path = decodeURIComponent(request.path);
    } catch {
      return next();
    }
    const key = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    if (!paths.has(key)) return next();
    serve(request, response, next);
  };
}

/** Every file and directory under `dir`, as URL paths ('/assets', '/assets/logo.svg'). */
function listPaths(dir: string, prefix: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = `${prefix}/${entry.name}`;
    return entry.isDirectory() ? [path, ...listPaths(join(dir, entry.name), path)] : [path];
  });
}
