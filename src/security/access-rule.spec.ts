import type { Credential } from '../config/config.types.js';
import { decideAccess, type AccessRequest } from './access-rule.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const reader: Credential = { type: 'basic', username: 'ann', password: 'read-pw' };
const writer: Credential = { type: 'bearer', token: 'write-token' };
const both = { readAuth: [reader], writeAuth: [writer] };
const writeOnly = { readAuth: [], writeAuth: [writer] };
const readOnly = { readAuth: [reader], writeAuth: [] };
const open = { readAuth: [], writeAuth: [] };

const request = (method: string, path: string, authorization?: string, pushWithServiceToken = false): AccessRequest => ({ method, path, authorization, pushWithServiceToken });
const RESOLVE = '/services/shop/errors/k/';

describe('decideAccess', () => {
  it.each([
    ['everything when nothing is configured', open, request('DELETE', RESOLVE)],
    ['reads without credentials when only writes are protected', writeOnly, request('GET', '/services/')],
    ['a write with the bearer token', writeOnly, request('DELETE', RESOLVE, 'Bearer write-token')],
    ['the scheme in any case', writeOnly, request('POST', '/push/a/errors', 'bearer write-token')],
    ['a read with basic auth', both, request('GET', '/api/targets', basic('ann', 'read-pw'))],
    ['a read with the write credentials', both, request('HEAD', '/', 'Bearer write-token')],
    ['a write with read credentials when no write rule is set', readOnly, request('DELETE', RESOLVE, basic('ann', 'read-pw'))],
    ['the health to probes without credentials', both, request('GET', '/-/health')],
    ['a push to a service with its own token (the push route checks it)', both, request('POST', '/push/a/errors', 'Bearer service-token', true)],
  ])('allows %s', (_name, rules, req) => {
    expect(decideAccess(req, rules)).toEqual({ allowed: true });
  });

  it.each([
    ['a write without credentials', writeOnly, request('DELETE', RESOLVE), 401, 'DELETE /services/shop/errors/k/ needs credentials: Authorization: Bearer <token>', ['Bearer realm="Periskop"']],
    ['a read without credentials', both, request('GET', '/services/'), 401, 'GET /services/ needs credentials: basic auth (user and password)', ['Basic realm="Periskop", charset="UTF-8"']],
    ['a wrong token', writeOnly, request('DELETE', RESOLVE, 'Bearer nope'), 401, 'the credentials sent for DELETE /services/shop/errors/k/ are not accepted; it needs Authorization: Bearer <token>', ['Bearer realm="Periskop"']],
    ['a wrong password', both, request('GET', '/', basic('ann', 'x')), 401, 'the credentials sent for GET / are not accepted; it needs basic auth (user and password)', ['Basic realm="Periskop", charset="UTF-8"']],
    ['a write with read-only credentials', both, request('DELETE', RESOLVE, basic('ann', 'read-pw')), 403, 'DELETE /services/shop/errors/k/ changes data: it needs write credentials (server.auth.write); the ones sent may only read', []],
    ['a push with read-only credentials', both, request('POST', '/push/a/errors', basic('ann', 'read-pw')), 403, 'POST /push/a/errors changes data: it needs write credentials (server.auth.write); the ones sent may only read', []],
  ])('refuses %s', (_name, rules, req, status, message, challenges) => {
    expect(decideAccess(req, rules)).toEqual({ allowed: false, status, message, challenges });
  });

  it('offers both challenges when either credential is accepted', () => {
    const decision = decideAccess(request('DELETE', RESOLVE), { readAuth: [], writeAuth: [writer, reader] });
    expect(decision).toMatchObject({ status: 401, challenges: ['Basic realm="Periskop", charset="UTF-8"', 'Bearer realm="Periskop"'] });
  });
});
