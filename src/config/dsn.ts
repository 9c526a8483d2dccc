import type { DatabaseConnection } from './config.types.js';

// The DSN styles Go Periskop sites already have in their config files, plus URLs:
// - PostgreSQL: libpq key=value (`host=db user=u password=p dbname=d port=5432 sslmode=disable`,
//   what gorm's postgres driver takes) and postgres:// / postgresql:// URLs.
// - MySQL/MariaDB: go-sql-driver (`user:pass@tcp(host:3306)/db?charset=utf8mb4`) and
//   mysql:// / mariadb:// URLs.
// Error messages never contain the password, nor any piece of the DSN that could hold it.

export class DsnError extends Error {
  override readonly name = 'DsnError';
}

export type DsnType = 'postgres' | 'mysql';

const URL_SCHEMES: Readonly<Record<DsnType, readonly string[]>> = {
  postgres: ['postgres', 'postgresql'],
  mysql: ['mysql', 'mariadb'],
};

const URL_START = /^([a-z][a-z0-9+.-]*):\/\//i;
/** libpq key=value DSNs start with a key and "="; go-sql-driver DSNs never do. */
const KEY_VALUE_START = /^[^\s=@/:()]+\s*=/;
const GO_MYSQL_ADDRESS = /(?:^|@)(?:tcp[46]?|unix)\(/;

/** Parses a DSN in any of the styles above; throws DsnError saying what is wrong. */
export function parseDsn(type: DsnType, dsn: string): DatabaseConnection {
  const text = dsn.trim();
  if (text === '') throw new DsnError('is empty');
  if (/^jdbc:/i.test(text)) throw new DsnError('is a JDBC URL; drop the "jdbc:" prefix');
  const scheme = URL_START.exec(text)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    if (!URL_SCHEMES[type].includes(scheme)) {
      const expected = URL_SCHEMES[type].map((s) => `${s}://`).join(' or ');
      throw new DsnError(`a ${scheme}:// URL does not fit repository type ${type} (use ${expected})`);
    }
    return parseUrl(type, text);
  }
  if (type === 'postgres') {
    if (!KEY_VALUE_START.test(text) && GO_MYSQL_ADDRESS.test(text)) {
      throw new DsnError('is a go-sql-driver (MySQL) DSN, but the repository type is postgres (expected e.g. "host=db user=periskop dbname=periskop")');
    }
    return parseLibpq(text);
  }
  if (KEY_VALUE_START.test(text) && !GO_MYSQL_ADDRESS.test(text)) {
    throw new DsnError('is a libpq key=value (PostgreSQL) DSN, but the repository type is mysql (expected e.g. "user:pass@tcp(db:3306)/periskop")');
  }
  return parseGoMysql(text);
}

/** The DSN with its password replaced by ***, for log lines. Masks too much rather than too little. */
export function maskDsn(dsn: string): string {
  const text = dsn.trim();
  if (URL_START.test(text)) return maskUrl(text);
  if (KEY_VALUE_START.test(text)) return maskKeyValues(text);
  return maskGoMysql(text);
}

// ---------------------------------------------------------------------------------------------
// URLs

function parseUrl(type: DsnType, text: string): DatabaseConnection {
  const rest = text.slice(text.indexOf('://') + 3);
  if (urlHosts(rest).includes(',')) throw new DsnError('names several hosts; Periskop connects to one');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DsnError('is not a valid URL (percent-encode @ : / ? # and spaces in the user name and password, e.g. %40 for @)');
  }
  const params: Record<string, string> = {};
  for (const [key, value] of url.searchParams) params[key] = value;
  const connection: DatabaseConnection = { dbName: decode(url.pathname.replace(/^\//, ''), 'the database name'), params };
  const host = decode(url.hostname.replace(/^\[(.*)\]$/, '$1'), 'the host');
  if (host !== '') setHost(connection, host);
  if (url.port !== '') connection.port = portNumber(url.port);
  if (url.username !== '') connection.user = decode(url.username, 'the user name');
  if (url.password !== '') connection.password = decode(url.password, 'the password');
  if (type === 'postgres') {
    // libpq: connection keywords in the query override the URL's parts.
    const { host: queryHost, port, user, password, dbname } = params;
    if (queryHost !== undefined) {
      if (queryHost.includes(',')) throw new DsnError('names several hosts; Periskop connects to one');
      delete connection.host;
      delete connection.socketPath;
      if (queryHost !== '') setHost(connection, queryHost);
    }
    if (port !== undefined && port !== '') connection.port = portNumber(port);
    if (user !== undefined && user !== '') connection.user = user;
    if (password !== undefined && password !== '') connection.password = password;
    if (dbname !== undefined && dbname !== '') connection.dbName = dbname;
    for (const key of ['host', 'port', 'user', 'password', 'dbname']) delete params[key];
    return withDatabase('postgres', connection);
  }
  const socket = params.socket;
  if (socket !== undefined && socket !== '') {
    connection.socketPath = socket;
    delete connection.host;
  }
  delete params.socket;
  return withDatabase('mysql', connection, 'the URL path, e.g. mysql://user:pass@db:3306/periskop');
}

/** The host[:port] list of a URL without its scheme; the user info ends at the last '@' before the query. */
function urlHosts(rest: string): string {
  const start = userInfoEnd(rest) + 1;
  const end = rest.slice(start).search(/[/?#]/);
  return end < 0 ? rest.slice(start) : rest.slice(start, start + end);
}

function userInfoEnd(rest: string): number {
  const query = rest.indexOf('?');
  const at = rest.lastIndexOf('@', query < 0 ? rest.length : query);
  return at >= 0 ? at : rest.lastIndexOf('@');
}

function maskUrl(text: string): string {
  const start = text.indexOf('://') + 3;
  const at = userInfoEnd(text.slice(start));
  let masked = text;
  if (at >= 0) {
    const colon = text.indexOf(':', start);
    if (colon >= 0 && colon < start + at) masked = `${text.slice(0, colon + 1)}***${text.slice(start + at)}`;
  }
  return masked.replace(/([?&](?:ssl)?password=)[^&#]*/gi, '$1***');
}

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new DsnError(`${what} has an invalid percent-encoding`);
  }
}

// ---------------------------------------------------------------------------------------------
// libpq key=value

/** libpq's key=value list: values may be 'single quoted'; \ escapes the next character. */
function parseLibpq(text: string): DatabaseConnection {
  const values: Record<string, string> = {};
  let lastKey: string | undefined;
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    const keyMatch = /^([^\s=]+)\s*=\s*/.exec(text.slice(i));
    if (!keyMatch) {
      // Never show the text itself: it may be the rest of an unquoted password with a space.
      const where = lastKey === undefined ? 'at the start' : `after the value of ${lastKey}`;
      throw new DsnError(`expected key=value ${where} (quote a value that holds spaces: key='a b')`);
    }
    const key = keyMatch[1]!;
    i += keyMatch[0].length;
    let value = '';
    if (text[i] === "'") {
      i++;
      for (;;) {
        if (i >= text.length) throw new DsnError(`the quoted value of ${key} has no closing '`);
        const c = text[i]!;
        if (c === "'") {
          i++;
          break;
        }
        if (c === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
    } else {
      while (i < text.length && !/\s/.test(text[i]!)) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
    }
    values[key] = value; // as in libpq, the last of a repeated key wins
    lastKey = key;
  }
  const { host, port, user, password, dbname, ...params } = values;
  const connection: DatabaseConnection = { dbName: dbname ?? '', params };
  const address = host !== undefined && host !== '' ? host : params.hostaddr;
  if (address !== undefined && address !== '') {
    if (address.includes(',')) throw new DsnError('names several hosts; Periskop connects to one');
    setHost(connection, address);
    if (address === params.hostaddr) delete params.hostaddr;
  }
  if (port !== undefined && port !== '') connection.port = portNumber(port);
  if (user !== undefined && user !== '') connection.user = user;
  if (password !== undefined && password !== '') connection.password = password;
  return withDatabase('postgres', connection);
}

function maskKeyValues(text: string): string {
  return text.replace(/(^|\s)((?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*(?:'|\\?$)|(?:[^\s\\]|\\.)*\\?)/g, '$1$2***');
}

// ---------------------------------------------------------------------------------------------
// go-sql-driver/mysql

/**
 * `[user[:password]@][net[(addr)]]/dbname[?param=value&…]`, split as go-sql-driver does: at the
 * last '/', then at the last '@' before it, then at the first ':' of the user info.
 */
function parseGoMysql(text: string): DatabaseConnection {
  const slash = text.lastIndexOf('/');
  if (slash < 0) throw new DsnError('has no "/dbname" (expected [user[:password]@][tcp(host:port)]/dbname[?param=value])');
  const head = text.slice(0, slash);
  const tail = text.slice(slash + 1);
  const question = tail.indexOf('?');
  const params: Record<string, string> = {};
  if (question >= 0) {
    for (const [key, value] of new URLSearchParams(tail.slice(question + 1))) params[key] = value;
  }
  const connection: DatabaseConnection = { dbName: decode(question >= 0 ? tail.slice(0, question) : tail, 'the database name'), params };
  const at = head.lastIndexOf('@');
  if (at >= 0) {
    const userInfo = head.slice(0, at);
    const colon = userInfo.indexOf(':');
    const user = colon >= 0 ? userInfo.slice(0, colon) : userInfo;
    const password = colon >= 0 ? userInfo.slice(colon + 1) : '';
    if (user !== '') connection.user = user;
    if (password !== '') connection.password = password;
  }
  const address = head.slice(at + 1);
  // Without an '@', a ':' outside the parentheses means a user:password the DSN failed to
  // separate (e.g. a password holding '/'), so such text is never shown.
  const show = (fragment: string): string => (at >= 0 || !fragment.split('(')[0]!.includes(':') ? ` "${fragment}"` : '');
  const paren = address.indexOf('(');
  if (paren >= 0 && !address.endsWith(')')) throw new DsnError(`the address${show(address)} has no closing ")" before "/dbname"`);
  const net = paren >= 0 ? address.slice(0, paren) : address;
  const addr = paren >= 0 ? address.slice(paren + 1, -1) : '';
  if (net === 'unix') {
    if (addr === '') throw new DsnError('unix() needs the socket path, e.g. unix(/run/mysqld/mysqld.sock)');
    connection.socketPath = addr;
  } else if (net === '' || net === 'tcp' || net === 'tcp4' || net === 'tcp6') {
    const hostPort = /^(?:\[([^\]]*)\]|([^:[\]]*))(?::([^:]*))?$/.exec(addr);
    if (!hostPort) throw new DsnError(`the address${show(addr)} is not host:port, e.g. tcp(127.0.0.1:3306)`);
    const host = hostPort[1] ?? hostPort[2];
    if (host) connection.host = host;
    if (hostPort[3] !== undefined && hostPort[3] !== '') connection.port = portNumber(hostPort[3]);
  } else {
    throw new DsnError(`network${show(net)} is not supported (use tcp(host:port) or unix(/socket/path))`);
  }
  return withDatabase('mysql', connection, 'the name after the "/", e.g. user:pass@tcp(db:3306)/periskop');
}

function maskGoMysql(text: string): string {
  const slash = text.lastIndexOf('/');
  let at = slash >= 0 ? text.lastIndexOf('@', slash) : text.lastIndexOf('@');
  // No '@' before the last '/': perhaps a password holding '/' and no "/dbname" after it.
  if (at < 0) at = text.lastIndexOf('@');
  const colon = text.indexOf(':');
  return at >= 0 && colon >= 0 && colon < at ? `${text.slice(0, colon + 1)}***${text.slice(at)}` : text;
}

// ---------------------------------------------------------------------------------------------
// Shared

function setHost(connection: DatabaseConnection, host: string): void {
  if (host.startsWith('/')) connection.socketPath = host;
  else connection.host = host;
}

function portNumber(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new DsnError(`port "${text}" is not a port number (1..65535)`);
  return port;
}

/** libpq defaults the database name to the user name; MySQL has no such default. */
function withDatabase(type: DsnType, connection: DatabaseConnection, hint?: string): DatabaseConnection {
  if (connection.dbName !== '') return connection;
  if (type === 'postgres' && connection.user !== undefined) return { ...connection, dbName: connection.user };
  throw new DsnError(type === 'postgres' ? 'dbname is missing (and there is no user to default it to)' : `dbname is missing (${hint ?? ''})`);
}
