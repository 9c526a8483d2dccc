import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { PeriskopConfig } from '../config/config.types.js';
import { httpSecurityOf } from '../config/security-config.js';
import { decideAccess } from './access-rule.js';
import { allowedOrigins } from './cors-origin.js';
import { jsonBodyParsers, limitRequestHeads, refuse, urlLengthLimit } from './request-limits.js';
import { securityHeaders } from './security-headers.js';

/**
 * Everything between a request and the routes, in this order: security headers, CORS, URL
 * length, authentication, then the bounded JSON body parsers. Plain Express middleware rather
 * than Nest guards, so the UI's static files are covered too and a refused request is answered
 * before its body is read. Call before the static assets and before `app.init()`.
 */
export function installHttpSecurity(nest: INestApplication, config: PeriskopConfig): void {
  const app = nest as NestExpressApplication;
  const security = httpSecurityOf(config.server);
  limitRequestHeads(app.getHttpServer(), security.limits);
  app.use(securityHeaders);
  const originAllowed = allowedOrigins(security.corsOrigins);
  app.enableCors({
    origin: (origin, callback) => callback(null, origin !== undefined && originAllowed(origin)),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type'],
  });
  app.use(urlLengthLimit(security.limits));
  app.use(authentication(config));
  for (const parser of jsonBodyParsers(security.limits)) app.use(parser);
}

function authentication(config: PeriskopConfig): RequestHandler {
  const security = httpSecurityOf(config.server);
  const tokenServices = new Set(config.services.filter((s) => s.push?.token).map((s) => s.name));
  return (request: Request, response: Response, next: NextFunction) => {
    const decision = decideAccess(
      {
        method: request.method,
        path: readablePath(request.path),
        authorization: request.headers.authorization,
        pushWithServiceToken: request.method === 'POST' && tokenServices.has(pushedService(request.path) ?? ''),
      },
      security,
    );
    if (decision.allowed) return next();
    if (decision.challenges.length > 0) response.setHeader('WWW-Authenticate', decision.challenges);
    refuse(response, decision.status, decision.message);
  };
}

/** The path as people write it, for messages and the open-path check (`%40` read as `@`). */
function readablePath(path: string): string {
  try {
    return path.split('/').map(decodeURIComponent).join('/');
  } catch {
    return path;
  }
}

/** The service of `/push/<service>/errors`, or null for any other path. */
function pushedService(path: string): string | null {
  const match = /^\/push\/([^/]+)\/errors\/?$/.exec(path);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
}
