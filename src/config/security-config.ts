// The HTTP security keys under `server`: auth (reads and writes), cors, redact_headers, limits.
// All optional; a Go config file has none of them and gets DEFAULT_HTTP_SECURITY.

import { readFileSync } from 'node:fs';
import type { Credential, HttpSecurityConfig, ServerConfig } from './config.types.js';
import type { YamlNode } from './yaml-node.js';

export const SECURITY_KEYS = ['auth', 'cors', 'redact_headers', 'limits'] as const;

/** Request headers that carry secrets in practice; their values never reach the event log. */
export const DEFAULT_REDACT_HEADERS = ['authorization', 'cookie', 'set-cookie', 'proxy-authorization', 'x-api-key'];

/** As the Go server (rs/cors): a UI on another localhost port may call the API. */
export const DEFAULT_CORS_ORIGINS = ['http://localhost:*'];

export const DEFAULT_HTTP_SECURITY: HttpSecurityConfig = {
  readAuth: [],
  writeAuth: [],
  corsOrigins: DEFAULT_CORS_ORIGINS,
  redactHeaders: DEFAULT_REDACT_HEADERS,
  limits: { urlBytes: 8 * 1024, headerBytes: 16 * 1024, jsonBodyBytes: 64 * 1024, pushBodyBytes: 16 * 2 ** 20 },
};

/** Undefined when the `server` block sets none of SECURITY_KEYS (the defaults apply). */
export function parseHttpSecurityConfig(server: YamlNode): HttpSecurityConfig | undefined {
  if (server.isAbsent || !SECURITY_KEYS.some((key) => !server.field(key).isAbsent)) return undefined;
  const auth = server.field('auth');
  if (!auth.isAbsent) auth.rejectUnknownKeys(['read', 'write']);
  const defaults = DEFAULT_HTTP_SECURITY.limits;
  const limits = server.field('limits');
  if (!limits.isAbsent) limits.rejectUnknownKeys(['url_bytes', 'header_bytes', 'json_body_bytes', 'push_body_bytes']);
  const size = (key: string, fallback: number) => limits.isAbsent ? fallback : limits.field(key).optional((n) => positiveSize(n), fallback);
  return {
    readAuth: auth.isAbsent ? [] : auth.field('read').optional(parseCredentials, []),
    writeAuth: auth.isAbsent ? [] : auth.field('write').optional(parseCredentials, []),
    corsOrigins: server.field('cors').optional(parseCors, DEFAULT_CORS_ORIGINS),
    redactHeaders: server.field('redact_headers').optional(parseHeaderNames, DEFAULT_REDACT_HEADERS),
    limits: {
      urlBytes: size('url_bytes', defaults.urlBytes),
      headerBytes: size('header_bytes', defaults.headerBytes),
      jsonBodyBytes: size('json_body_bytes', defaults.jsonBodyBytes),
      pushBodyBytes: size('push_body_bytes', defaults.pushBodyBytes),
    },
  };
}

// `{bearer_token: x}`, `{basic_auth: {username, password}}`, or both (either is accepted).
// Secrets may come from files instead (`bearer_token_file`, `password_file`: Kubernetes
// secrets, Docker secrets), read once at start.
function parseCredentials(node: YamlNode): Credential[] {
  node.rejectUnknownKeys(['bearer_token', 'bearer_token_file', 'basic_auth']);
  const credentials: Credential[] = [];
  const token = secret(node, 'bearer_token', false);
  if (token !== undefined) credentials.push({ type: 'bearer', token });
  const basic = node.field('basic_auth');
  if (!basic.isAbsent) {
    basic.rejectUnknownKeys(['username', 'password', 'password_file']);
    const usernameNode = basic.field('username');
    if (usernameNode.isAbsent) throw usernameNode.error('required: the username clients send');
    const username = usernameNode.nonEmptyString();
    if (username.includes(':')) throw usernameNode.error('must not contain ":" (basic auth separates username and password with it)');
    credentials.push({ type: 'basic', username, password: secret(basic, 'password', true)! });
  }
  if (credentials.length === 0) throw node.error('expected bearer_token (or bearer_token_file) or basic_auth {username, password}');
  return credentials;
}

/** `<key>` or the content of `<key>_file` (trailing newline dropped); never both. */
function secret(node: YamlNode, key: string, required: boolean): string | undefined {
  const inline = node.field(key);
  const file = node.field(`${key}_file`);
  if (!inline.isAbsent && !file.isAbsent) throw file.error(`cannot be used together with ${key}`);
  if (!inline.isAbsent) {
    // The message must not repeat the secret, as describeValue would (`got number 12345`).
    if (typeof inline.value !== 'string') throw inline.error(`expected a string, got a ${Array.isArray(inline.value) ? 'list' : typeof inline.value}; quote the secret`);
    return inline.nonEmptyString();
  }
  if (file.isAbsent) {
    if (required) throw inline.error(`required: the ${key} clients send (or ${key}_file)`);
    return undefined;
  }
  const path = file.nonEmptyString();
  let text: string;
  try {
    text = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw file.error(`cannot read ${JSON.stringify(path)}: ${(error as Error).message}`);
  }
  if (text.trim() === '') throw file.error(`${JSON.stringify(path)} is empty`);
  return text;
}

function parseCors(node: YamlNode): string[] {
  node.rejectUnknownKeys(['allowed_origins']);
  const origins = node.field('allowed_origins');
  if (origins.isAbsent) return DEFAULT_CORS_ORIGINS;
  return origins.items().map((item) => {
    const origin = item.nonEmptyString();
    if (origin === '*') return origin;
    if (!/^https?:\/\/[^/?#\s]+$/.test(origin) || origin.split('*').length > 2) {
      throw item.error(`${JSON.stringify(origin)} is not an origin such as "https://periskop.example" or "http://localhost:*" (one * at most, no path)`);
    }
    return origin;
  });
}

function parseHeaderNames(node: YamlNode): string[] {
  return node.items().map((item) => {
    const name = item.nonEmptyString();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw item.error(`${JSON.stringify(name)} is not an HTTP header name`);
    return name.toLowerCase();
  });
}

function positiveSize(node: YamlNode): number {
  const bytes = node.byteSize();
  if (bytes < 1) throw node.error('must be at least 1 byte');
  return bytes;
}

/** The security settings in force: the file's, or the defaults when it sets none. */
export function httpSecurityOf(server: ServerConfig): HttpSecurityConfig {
  return server.security ?? DEFAULT_HTTP_SECURITY;
}
