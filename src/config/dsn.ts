import type { DatabaseConnection } from './config.types.js';

// The DSN styles Go Periskop sites already have in their config files, plus URLs:
// - PostgreSQL: libpq key=value (`host=db user=u password=p dbname=d port=5432 sslmode=disable`)
//   and postgres:// / postgresql:// URLs.
// - MySQL/MariaDB: go-sql-driver (`user:pass@tcp(host:3306)/db?charset=utf8mb4`) and
//   mysql:// / mariadb:// URLs.

export class DsnError extends Error {}

export type DsnType = 'postgres' | 'mysql';

const URL_SCHEMES: Record<DsnType, string[]> = {
  postgres: ['postgres:', 'postgresql:'],
  mysql: ['mysql:', 'mariadb:'],
};

export function parseDsn(type: DsnType, dsn: string): DatabaseConnection {
  const text = dsn.trim();
  if (text === '') throw new DsnError('is empty');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    if (!URL_SCHEMES[type].includes(`${scheme}:`)) {
      throw new DsnError(`a ${scheme}:// URL does not fit repository type ${type} (use ${URL_SCHEMES[type].map((s) => `${s}//`).join(' or ')})`);
    }
    return parseUrl(type, text);
  }
  return type === 'postgres' ? parseLibpq(text) : parseGoMysql(text);
}

/** The DSN with its password replaced by ***, for log lines and messages. */
export function maskDsn(dsn: string): string {
  const text = dsn.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@]*@/i, '$1***@');
  if (/(^|\s)password\s*=/.test(text)) return text.replace(/(^|\s)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)/, '$1$2***');
  // go-sql-driver: the password runs from the first ':' of the user info to the last '@'.
  const at = goMysqlUserInfoEnd(text);
  if (at < 0) return text;
  const colon = text.indexOf(':');
  return colon >= 0 && colon < at ? `${text.slice(0, colon + 1)}***${text.slice(at)}` : text;
}

function parseUrl(type: DsnType, text: string): DatabaseConnection {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DsnError('is not a valid URL');
  }
  const params: Record<string, string> = {};
  for (const [key, value] of url.searchParams) params[key] = value;
  const connection: DatabaseConnection = { dbName: decode(url.pathname.replace(/^\//, ''), 'database name'), params };
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host !== '') connection.host = decode(host, 'host');
  if (url.port !== '') connection.port = Number(url.port);
  if (url.username !== '') connection.user = decode(url.username, 'user');
  if (url.password !== '') connection.password = decode(url.password, 'password');
  // libpq takes a socket directory as ?host=/path.
  if (type === 'postgres' && params.host?.startsWith('/')) {
    connection.socketPath = params.host;
    delete params.host;
    delete connection.host;
  }
  if (type === 'mysql' && params.socket) {
    connection.socketPath = params.socket;
    delete params.socket;
  }
  return withDefaultDatabase(connection);
}

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new DsnError(`${what} has an invalid percent-encoding`);
  }
}

/** libpq's key=value list: values may be 'single quoted' with \' and \\ escapes. */
function parseLibpq(text: string): DatabaseConnection {
  const values: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    const keyMatch = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*/.exec(text.slice(i));
    if (!keyMatch) throw new DsnError(`expected key=value at "${text.slice(i, i + 20).replace(/password.*/i, 'password=***')}"`);
    const key = keyMatch[1]!;
    i += keyMatch[0].length;
    let value = '';
    if (text[i] === "'") {
      i++;
      for (;;) {
        if (i >= text.length) throw new DsnError(`the quoted value of ${key} is not closed`);
        const c = text[i]!;
        if (c === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
        } else if (c === "'") {
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
    } else {
      while (i < text.length && !/\s/.test(text[i]!)) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
    }
    values[key] = value;
  }
  const { host, port, user, password, dbname, ...params } = values;
  const connection: DatabaseConnection = { dbName: dbname ?? '', params };
  if (host !== undefined && host !== '') {
    if (host.startsWith('/')) connection.socketPath = host;
    else connection.host = host;
  }
  if (port !== undefined) connection.port = portNumber(port);
  if (user !== undefined) connection.user = user;
  if (password !== undefined) connection.password = password;
  return withDefaultDatabase(connection);
}

function portNumber(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new DsnError(`port "${text}" is not a port number (1..65535)`);
  return port;
}

/** Index of the '@' that ends the user info of a go-sql-driver DSN, or -1. */
function goMysqlUserInfoEnd(text: string): number {
  const slash = text.lastIndexOf('/');
  const head = slash >= 0 ? text.slice(0, slash) : text;
  // The address part may hold '@' only inside (...); the user info ends at the last '@' before it.
  const paren = head.indexOf('(');
  const searchable = paren >= 0 ? head.slice(0, paren) : head;
  return searchable.lastIndexOf('@');
}

/** go-sql-driver/mysql: [user[:password]@][net[(addr)]]/dbname[?param=value&…] */
function parseGoMysql(text: string): DatabaseConnection {
  const slash = text.lastIndexOf('/');
  if (slash < 0) throw new DsnError('has no "/dbname" (expected user:pass@tcp(host:3306)/dbname)');
  const head = text.slice(0, slash);
  const tail = text.slice(slash + 1);
  const question = tail.indexOf('?');
  const dbName = question >= 0 ? tail.slice(0, question) : tail;
  const params: Record<string, string> = {};
  if (question >= 0) {
    for (const [key, value] of new URLSearchParams(tail.slice(question + 1))) params[key] = value;
  }
  const connection: DatabaseConnection = { dbName, params };
  const at = goMysqlUserInfoEnd(text);
  const userInfo = at >= 0 ? head.slice(0, at) : '';
  const address = at >= 0 ? head.slice(at + 1) : head;
  if (at >= 0) {
    const colon = userInfo.indexOf(':');
    connection.user = colon >= 0 ? userInfo.slice(0, colon) : userInfo;
    if (colon >= 0) connection.password = userInfo.slice(colon + 1);
  }
  if (address !== '') {
    const match = /^([a-z0-9]+)(?:\((.*)\))?$/i.exec(address);
    if (!match) throw new DsnError(`address "${address}" is not net(addr), e.g. tcp(127.0.0.1:3306) or unix(/run/mysqld/mysqld.sock)`);
    const [, net, addr = ''] = match;
    if (net === 'unix') {
      if (addr === '') throw new DsnError('unix() needs a socket path');
      connection.socketPath = addr;
    } else if (net === 'tcp' || net === 'tcp4' || net === 'tcp6') {
      const hostPort = /^(?:\[([^\]]+)\]|([^:]*))(?::(\d+))?$/.exec(addr);
      if (!hostPort) throw new DsnError(`address "${addr}" is not host:port`);
      const host = hostPort[1] ?? hostPort[2];
      if (host) connection.host = host;
      if (hostPort[3] !== undefined) connection.port = portNumber(hostPort[3]);
    } else {
      throw new DsnError(`network "${net}" is not supported (use tcp or unix)`);
    }
  }
  return withDefaultDatabase(connection);
}

/** libpq and MySQL clients both fall back to the user name for a missing database name. */
function withDefaultDatabase(connection: DatabaseConnection): DatabaseConnection {
  if (connection.dbName !== '') return connection;
  if (connection.user) return { ...connection, dbName: connection.user };
  throw new DsnError('names no database (dbname) and no user to default it to');
}
