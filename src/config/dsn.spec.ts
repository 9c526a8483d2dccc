import type { DatabaseConnection } from './config.types.js';
import { DsnError, maskDsn, parseDsn, type DsnType } from './dsn.js';

describe('parseDsn', () => {
  it.each<[string, DsnType, string, DatabaseConnection]>([
    [
      'reads the libpq key=value DSN of the Go server docs',
      'postgres',
      'host=localhost user=gorm password=gorm dbname=gorm port=9920 sslmode=disable TimeZone=Asia/Shanghai',
      { host: 'localhost', port: 9920, user: 'gorm', password: 'gorm', dbName: 'gorm', params: { sslmode: 'disable', TimeZone: 'Asia/Shanghai' } },
    ],
    [
      'reads a quoted libpq password with spaces, quotes and backslashes',
      'postgres',
      "user=u password='a b\\'c\\\\d' dbname=db",
      { user: 'u', password: "a b'c\\d", dbName: 'db', params: {} },
    ],
    ['takes a libpq host starting with / as a socket directory', 'postgres', 'host=/var/run/postgresql dbname=db', { socketPath: '/var/run/postgresql', dbName: 'db', params: {} }],
    ['defaults the libpq database to the user', 'postgres', 'host=db user=periskop', { host: 'db', user: 'periskop', dbName: 'periskop', params: {} }],
    [
      'reads a postgres URL with a percent-encoded password holding @ : / and a space',
      'postgres',
      'postgres://user:p%40ss%3Aw%2Frd%20x@db.internal:5433/periskop?sslmode=require',
      { host: 'db.internal', port: 5433, user: 'user', password: 'p@ss:w/rd x', dbName: 'periskop', params: { sslmode: 'require' } },
    ],
    ['reads a postgresql URL without a port', 'postgres', 'postgresql://u@db/periskop', { host: 'db', user: 'u', dbName: 'periskop', params: {} }],
    ['reads a socket directory from a URL query', 'postgres', 'postgresql:///periskop?host=/var/run/postgresql', { socketPath: '/var/run/postgresql', dbName: 'periskop', params: {} }],
    ['reads an IPv6 URL host', 'postgres', 'postgres://u@[::1]:5432/db', { host: '::1', port: 5432, user: 'u', dbName: 'db', params: {} }],
    [
      'reads the go-sql-driver DSN of the Go server docs',
      'mysql',
      'user:pass@tcp(127.0.0.1:3306)/dbname?charset=utf8mb4&parseTime=True&loc=Local',
      { host: '127.0.0.1', port: 3306, user: 'user', password: 'pass', dbName: 'dbname', params: { charset: 'utf8mb4', parseTime: 'True', loc: 'Local' } },
    ],
    [
      'splits a go-sql-driver password holding @ : / at the last @ and the first :',
      'mysql',
      'user:p@ss:w/rd@tcp(db:3306)/periskop',
      { host: 'db', port: 3306, user: 'user', password: 'p@ss:w/rd', dbName: 'periskop', params: {} },
    ],
    ['reads a go-sql-driver address without a port', 'mysql', 'root@tcp(localhost)/db', { host: 'localhost', user: 'root', dbName: 'db', params: {} }],
    ['reads a go-sql-driver unix socket', 'mysql', 'u@unix(/var/run/mysqld/mysqld.sock)/db', { socketPath: '/var/run/mysqld/mysqld.sock', user: 'u', dbName: 'db', params: {} }],
    ['reads a go-sql-driver DSN with nothing but the database', 'mysql', '/periskop', { dbName: 'periskop', params: {} }],
    ['keeps unknown parameters', 'mysql', 'u@tcp(db:3306)/d?timeout=5s&tls=skip-verify', { host: 'db', port: 3306, user: 'u', dbName: 'd', params: { timeout: '5s', tls: 'skip-verify' } }],
    [
      'reads a mysql URL',
      'mysql',
      'mysql://u:s%40cret@db:3306/periskop?charset=utf8mb4',
      { host: 'db', port: 3306, user: 'u', password: 's@cret', dbName: 'periskop', params: { charset: 'utf8mb4' } },
    ],
    ['reads a mariadb URL', 'mysql', 'mariadb://u@db/periskop', { host: 'db', user: 'u', dbName: 'periskop', params: {} }],
    ['trims white space around the DSN', 'postgres', '  host=db dbname=d  ', { host: 'db', dbName: 'd', params: {} }],
  ])('%s', (_name, type, dsn, expected) => {
    expect(parseDsn(type, dsn)).toEqual(expected);
  });

  it.each<[string, DsnType, string, RegExp]>([
    ['an empty DSN', 'postgres', '  ', /is empty/],
    ['a URL of the other database', 'postgres', 'mysql://u@db/d', /mysql:\/\/ URL does not fit repository type postgres/],
    ['an unclosed libpq quote', 'postgres', "dbname=d password='abc", /quoted value of password is not closed/],
    ['a libpq port that is not a number', 'postgres', 'dbname=d port=abc', /port "abc" is not a port number/],
    ['a libpq word without =', 'postgres', 'dbname=d oops', /expected key=value/],
    ['a go-sql-driver DSN without /dbname', 'mysql', 'user:pass@tcp(db:3306)', /has no "\/dbname"/],
    ['an unsupported network', 'mysql', 'u@udp(db:1)/d', /network "udp" is not supported/],
    ['no database and no user', 'mysql', 'tcp(db:3306)/', /names no database/],
  ])('refuses %s', (_name, type, dsn, message) => {
    expect(() => parseDsn(type, dsn)).toThrow(DsnError);
    expect(() => parseDsn(type, dsn)).toThrow(message);
  });

  it('never shows the password in an error', () => {
    expect(() => parseDsn('postgres', 'password=hunter2 oops')).toThrow(/^(?!.*hunter2)/);
  });
});

describe('maskDsn', () => {
  it.each([
    ['user:secret@tcp(db:3306)/d', 'user:***@tcp(db:3306)/d'],
    ['user:p@ss@tcp(db:3306)/d', 'user:***@tcp(db:3306)/d'],
    ['host=db password=secret dbname=d', 'host=db password=*** dbname=d'],
    ["host=db password='a b' dbname=d", 'host=db password=*** dbname=d'],
    ['postgres://u:secret@db/d', 'postgres://u:***@db/d'],
    ['root@tcp(db)/d', 'root@tcp(db)/d'],
  ])('masks %s', (dsn, masked) => {
    expect(maskDsn(dsn)).toBe(masked);
  });
});
