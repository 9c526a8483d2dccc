// The HTTP client of the discovery mechanisms (http_sd, Kubernetes, Consul): Prometheus' HTTP
// client options (basic_auth, authorization, bearer_token[_file], tls_config), for plain
// requests and for requests that stay open (watches, blocking queries). Secret files are read at every
// request, so rotated secrets are picked up.

import { readFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HttpAuthConfig, TlsConfig } from '../config/config.types.js';
import { PERISKOP_VERSION } from '../version.js';

/** How to reach a server: the headers and TLS options of each request, computed per request. */
export interface HttpConnection {
  headers(): Promise<Record<string, string>>;
  /** Options for node:https (ca, cert, key, servername, rejectUnauthorized, minVersion). */
  tlsOptions(): Promise<Record<string, unknown>>;
}

/** A failed request: `status` is set when the server answered with an HTTP error. */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The connection the Prometheus HTTP client options describe. */
export function configuredConnection(auth: HttpAuthConfig | undefined, tls: TlsConfig | undefined): HttpConnection {
  return {
    headers: () => authorizationHeader(auth),
    tlsOptions: () => tlsOptions(tls),
  };
}

/** GET `url`; resolves with the response as soon as its headers arrive (the body may stream). */
export async function httpGet(url: URL, connection: HttpConnection, signal: AbortSignal, headers: Record<string, string> = {}): Promise<IncomingMessage> {
  const options: RequestOptions & Record<string, unknown> = {
    method: 'GET',
    headers: { Accept: 'application/json', 'User-Agent': `Periskop/${PERISKOP_VERSION}`, ...(await connection.headers()), ...headers },
    signal,
  };
  if (url.protocol === 'https:') Object.assign(options, await connection.tlsOptions());
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, resolve);
    request.on('error', reject);
    request.end();
  });
  // Long requests on an idle network: notice a peer that vanished.
  response.socket?.setKeepAlive(true, 30_000);
  return response;
}

/** The whole body as text; fails past `limit` bytes. */
export async function readBody(response: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      response.destroy();
      throw new Error(`answer larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Prometheus trims the surrounding whitespace of secrets read from files. */
export async function readSecret(file: string, what: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    throw new Error(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** The Authorization header. */
export async function authorizationHeader(auth: HttpAuthConfig | undefined): Promise<Record<string, string>> {
  if (!auth) return {};
  if (auth.type === 'basic') {
    const username = auth.usernameFile ? await readSecret(auth.usernameFile, 'username_file') : (auth.username ?? '');
    const password = auth.passwordFile ? await readSecret(auth.passwordFile, 'password_file') : (auth.password ?? '');
    return { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
  }
  const credentials = auth.credentialsFile ? await readSecret(auth.credentialsFile, 'credentials file') : (auth.credentials ?? '');
  return { Authorization: `${auth.scheme} ${credentials}` };
}

async function tlsOptions(tls: TlsConfig | undefined): Promise<Record<string, unknown>> {
  if (!tls) return {};
  return {
    ...(tls.caFile ? { ca: await readSecret(tls.caFile, 'ca_file') } : {}),
    ...(tls.certFile ? { cert: await readSecret(tls.certFile, 'cert_file') } : {}),
    ...(tls.keyFile ? { key: await readSecret(tls.keyFile, 'key_file') } : {}),
    ...(tls.serverName ? { servername: tls.serverName } : {}),
    ...(tls.minVersion ? { minVersion: tls.minVersion } : {}),
    rejectUnauthorized: !tls.insecureSkipVerify,
    agent: false,
  };
}

/** Waits `ms`, or less when `signal` aborts; never rejects. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
