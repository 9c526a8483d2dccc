import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error.js';
import { parseConfigText } from './load-config.js';
import { DEFAULT_HTTP_SECURITY } from './security-config.js';

async function temporaryDirectory() {
  const dir = await mkdtemp(join(tmpdir(), 'periskop-secrets-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

const load = (server: string, service = '') => parseConfigText(`server:\n${server}\nservices:\n- name: a\n${service}`, 'test.yaml');

function problemOf(server: string, service = ''): string {
  try {
    load(server, service);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('server security keys', () => {
  it('leaves security out when none is set, so a Go config loads unchanged', () => {
    expect(load('  port: 8080').server.security).toBeUndefined();
    expect(load('  port: 8080').services[0]!.dropRequestBodies).toBeUndefined();
  });

  it.each([
    [
      'bearer write auth, defaults elsewhere',
      '  auth: {write: {bearer_token: t0k}}',
      { ...DEFAULT_HTTP_SECURITY, writeAuth: [{ type: 'bearer', token: 't0k' }] },
    ],
    [
      'basic read auth and bearer write auth together',
      '  auth:\n    read: {basic_auth: {username: ann, password: pw}}\n    write: {bearer_token: w, basic_auth: {username: root, password: r}}',
      {
        ...DEFAULT_HTTP_SECURITY,
        readAuth: [{ type: 'basic', username: 'ann', password: 'pw' }],
        writeAuth: [
          { type: 'bearer', token: 'w' },
          { type: 'basic', username: 'root', password: 'r' },
        ],
      },
    ],
    ['CORS origins', '  cors: {allowed_origins: ["https://ui.example", "http://localhost:*"]}', { ...DEFAULT_HTTP_SECURITY, corsOrigins: ['https://ui.example', 'http://localhost:*'] }],
    ['redacted headers, lower-cased', '  redact_headers: [X-Secret, Authorization]', { ...DEFAULT_HTTP_SECURITY, redactHeaders: ['x-secret', 'authorization'] }],
    [
      'limits as sizes',
      '  limits: {url_bytes: 2KiB, push_body_bytes: 1MiB}',
      { ...DEFAULT_HTTP_SECURITY, limits: { ...DEFAULT_HTTP_SECURITY.limits, urlBytes: 2048, pushBodyBytes: 2 ** 20 } },
    ],
  ])('reads %s', (_name, server, expected) => {
    expect(load(server).server.security).toEqual(expected);
  });

  it('reads secrets from files, without their trailing newline', async () => {
    const { dir, remove } = await temporaryDirectory();
    try {
      writeFileSync(join(dir, 'token'), 'from-file\n');
      writeFileSync(join(dir, 'password'), 'pw-file');
      const server = `  auth:\n    read: {basic_auth: {username: ann, password_file: ${join(dir, 'password')}}}\n    write: {bearer_token_file: ${join(dir, 'token')}}`;
      expect(load(server).server.security).toMatchObject({
        readAuth: [{ type: 'basic', username: 'ann', password: 'pw-file' }],
        writeAuth: [{ type: 'bearer', token: 'from-file' }],
      });
    } finally {
      await remove();
    }
  });

  it('reads drop_request_bodies per service', () => {
    expect(load('  port: 8080', '  drop_request_bodies: true').services[0]!.dropRequestBodies).toBe(true);
  });

  it.each([
    ['an unknown auth key', '  auth: {admin: {bearer_token: x}}', 'server.auth.admin: unknown key (allowed: read, write)'],
    ['empty credentials', '  auth: {write: {}}', 'server.auth.write: expected bearer_token (or bearer_token_file) or basic_auth {username, password}'],
    ['a basic auth without password', '  auth: {read: {basic_auth: {username: a}}}', 'server.auth.read.basic_auth.password: required: the password clients send (or password_file)'],
    ['a token YAML reads as a number, without repeating it', '  auth: {write: {bearer_token: 123456}}', 'server.auth.write.bearer_token: expected a string, got a number; quote the secret'],
    ['a token and a token file', '  auth: {write: {bearer_token: a, bearer_token_file: /x}}', 'server.auth.write.bearer_token_file: cannot be used together with bearer_token'],
    ['a missing token file', '  auth: {write: {bearer_token_file: /nonexistent/token}}', 'server.auth.write.bearer_token_file: cannot read "/nonexistent/token": ENOENT: no such file or directory, open \'/nonexistent/token\''],
    ['a username with a colon', '  auth: {read: {basic_auth: {username: "a:b", password: c}}}', 'server.auth.read.basic_auth.username: must not contain ":" (basic auth separates username and password with it)'],
    ['an empty token', '  auth: {write: {bearer_token: " "}}', 'server.auth.write.bearer_token: must not be empty'],
    ['an origin with a path', '  cors: {allowed_origins: ["https://a/b"]}', 'server.cors.allowed_origins[0]: "https://a/b" is not an origin such as "https://periskop.example" or "http://localhost:*" (one * at most, no path)'],
    ['a header name with a space', '  redact_headers: ["X Secret"]', 'server.redact_headers[0]: "X Secret" is not an HTTP header name'],
    ['a zero limit', '  limits: {url_bytes: 0}', 'server.limits.url_bytes: must be at least 1 byte'],
    ['an unknown limit', '  limits: {body: 1}', 'server.limits.body: unknown key (allowed: url_bytes, header_bytes, json_body_bytes, push_body_bytes)'],
  ])('refuses %s', (_name, server, message) => {
    expect(problemOf(server)).toBe(`test.yaml: ${message}`);
  });

  it('refuses drop_request_bodies that is not a boolean', () => {
    expect(problemOf('  port: 8080', '  drop_request_bodies: yes please')).toBe('test.yaml: services[0].drop_request_bodies: expected true or false, got "yes please"');
  });
});
