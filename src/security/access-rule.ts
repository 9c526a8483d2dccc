import { createHash, timingSafeEqual } from 'node:crypto';
import type { Credential, HttpSecurityConfig } from '../config/config.types.js';

// Who may do what, as a pure function of the request line and its Authorization header.
// Reads are GET/HEAD (and CORS preflights, answered before this); everything else writes.

export interface AccessRequest {
  method: string;
  /** The path without the query. */
  path: string;
  authorization: string | undefined;
  /** True when the path is a push to a service with its own `push.token` (checked by the push route). */
  pushWithServiceToken: boolean;
}

export type AccessDecision =
  | { allowed: true }
  /** 401 asks for credentials (`challenges` for WWW-Authenticate), 403 refuses the ones given. */
  | { allowed: false; status: 401 | 403; message: string; challenges: string[] };

export const REALM = 'Periskop';

/** Probes and deploy scripts read these without credentials; they hold no error data. */
const OPEN_PATHS = new Set(['/-/health', '/-/health/', '/-/projection', '/-/projection/']);

export function isWrite(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}

export function decideAccess(request: AccessRequest, rules: Pick<HttpSecurityConfig, 'readAuth' | 'writeAuth'>): AccessDecision {
  if (OPEN_PATHS.has(request.path) || request.pushWithServiceToken) return { allowed: true };
  const write = isWrite(request.method);
  // Write credentials read too; with no write rule, writes need what reads need.
  const needed = write ? (rules.writeAuth.length > 0 ? rules.writeAuth : rules.readAuth) : rules.readAuth;
  if (needed.length === 0) return { allowed: true };
  const accepted = write ? needed : [...needed, ...rules.writeAuth];
  const what = `${request.method.toUpperCase()} ${request.path}`;
  if (matchesAny(request.authorization, accepted)) return { allowed: true };
  const challenges = challengesFor(needed);
  if (!request.authorization) {
    return { allowed: false, status: 401, message: `${what} needs credentials: ${describe(needed)}`, challenges };
  }
  // Valid read credentials on a write: known, but not allowed to change anything.
  if (write && matchesAny(request.authorization, rules.readAuth)) {
    return { allowed: false, status: 403, message: `${what} changes data: it needs write credentials (server.auth.write); the ones sent may only read`, challenges: [] };
  }
  return { allowed: false, status: 401, message: `the credentials sent for ${what} are not accepted; it needs ${describe(needed)}`, challenges };
}

function matchesAny(authorization: string | undefined, credentials: readonly Credential[]): boolean {
  if (!authorization) return false;
  // Every credential is compared, in constant time, so timing does not tell which one nearly matched.
  return credentials.map((credential) => sameSecret(authorization.trim(), headerFor(credential))).includes(true);
}

function headerFor(credential: Credential): string {
  return credential.type === 'bearer'
    ? `Bearer ${credential.token}`
    : `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  // Auth schemes are case-insensitive (RFC 9110); the credentials themselves are not.
  const normalise = (header: string) => header.replace(/^(\S+)/, (scheme) => scheme.toLowerCase());
  return timingSafeEqual(digest(normalise(given)), digest(normalise(expected)));
}

function challengesFor(credentials: readonly Credential[]): string[] {
  const types = new Set(credentials.map((c) => c.type));
  return [
    ...(types.has('basic') ? [`Basic realm="${REALM}", charset="UTF-8"`] : []),
    ...(types.has('bearer') ? [`Bearer realm="${REALM}"`] : []),
  ];
}

function describe(credentials: readonly Credential[]): string {
  const types = new Set(credentials.map((c) => c.type));
  return [...(types.has('bearer') ? ['Authorization: Bearer <token>'] : []), ...(types.has('basic') ? ['basic auth (user and password)'] : [])].join(' or ');
}
