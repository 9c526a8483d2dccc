import type { DatabaseConnection } from './config.types.js';
import { DsnError, maskDsn, parseDsn, type DsnType } from './dsn.js';

function errorFrom(type: DsnType, dsn: string): DsnError {
  try {
    parseDsn(type, dsn);
  } catch (error) {
    if (error instanceof DsnError) return error;
    throw error;
  }
  throw new Error(`expected a DsnError, but ${dsn} parsed`);
}

describe('parseDsn', () => {
  describe('PostgreSQL libpq key=value', () => {
    it.each<[string, string, DatabaseConnection]>([
      [
        'reads the gorm example DSN, unknown keys kept as params',
        'host=localhost user=gorm password=gorm dbname=gorm port=9920 sslmode=disable TimeZone=Asia/Shanghai',
        { host: 'localhost', port: 9920, user: 'gorm', password: 'gorm', dbName: 'gorm', params: { sslmode: 'disable', TimeZone: 'Asia/Shanghai' } },
      ],
      [
        'reads a quoted password with spaces, a quote and a backslash',
        "user=u password='a b\\'c\\\\d' dbname=db",
        { user: 'u', password: "a b'c\\d", dbName: 'db', params: {} },
      ],
      ['reads a password holding @ : / unquoted', 'user=u password=p@ss:w/rd dbname=db', { user: 'u', password: 'p@ss:w/rd', dbName: 'db', params: {} }],
      ['reads a backslash-escaped space in an unquoted value', 'user=u password=a\\ b dbname=db', { user: 'u', password: 'a b', dbName: 'db', params: {} }],
      ['accepts spaces around =', 'host = db dbname =  d', { host: 'db', dbName: 'd', params: {} }],
      ['reads an empty quoted value', "host=db dbname=d password=''", { host: 'db', dbName: 'd', params: {} }],
      ['lets the last of a repeated key win, as libpq does', 'dbname=a dbname=b', { dbName: 'b', params: {} }],
      ['leaves a missing port to the driver', 'host=db dbname=d', { host: 'db', dbName: 'd', params: {} }],
      ['takes a host starting with / as a unix socket directory', 'host=/var/run/postgresql dbname=db', { socketPath: '/var/run/postgresql', dbName: 'db', params: {} }],
      ['takes hostaddr when there is no host', 'hostaddr=10.0.0.5 dbname=db', { host: '10.0.0.5', dbName: 'db', params: {} }],
      ['keeps hostaddr as a param beside host', 'host=db hostaddr=10.0.0.5 dbname=db', { host: 'db', dbName: 'db', params: { hostaddr: '10.0.0.5' } }],
      ['defaults the database to the user name, as libpq does', 'host=db user=periskop', { host: 'db', user: 'periskop', dbName: 'periskop', params: {} }],
      ['keys are case-sensitive: DBNAME is a param', 'user=u DBNAME=x', { user: 'u', dbName: 'u', params: { DBNAME: 'x' } }],
      ['trims white space around the DSN', '  host=db dbname=d \n', { host: 'db', dbName: 'd', params: {} }],
    ])('%s', (_name, dsn, expected) => {
      expect(parseDsn('postgres', dsn)).toEqual(expected);
    });
  });

  describe('PostgreSQL URLs', () => {
    it.each<[string, string, DatabaseConnection]>([
      [
        'percent-decodes a password holding @ : / and a space',
        'postgres://user:p%40ss%3Aw%2Frd%20x@db.internal:5433/periskop?sslmode=require',
        { host: 'db.internal', port: 5433, user: 'user', password: 'p@ss:w/rd x', dbName: 'periskop', params: { sslmode: 'require' } },
      ],
      ['percent-decodes the user and database', 'postgresql://us%20er@db/my%2Ddb', { host: 'db', user: 'us er', dbName: 'my-db', params: {} }],
      ['reads a postgresql URL without a port', 'postgresql://u@db/periskop', { host: 'db', user: 'u', dbName: 'periskop', params: {} }],
      ['takes an unencoded @ in the password up to the last @', 'postgres://u:p@ss@db/d', { host: 'db', user: 'u', password: 'p@ss', dbName: 'd', params: {} }],
      [
        'reads the socket directory from the query host',
        'postgresql:///periskop?host=/var/run/postgresql',
        { socketPath: '/var/run/postgresql', dbName: 'periskop', params: {} },
      ],
      ['reads a percent-encoded socket directory as host', 'postgresql://%2Fvar%2Frun%2Fpostgresql/d', { socketPath: '/var/run/postgresql', dbName: 'd', params: {} }],
      ['reads an IPv6 host', 'postgres://u@[::1]:5432/db', { host: '::1', port: 5432, user: 'u', dbName: 'db', params: {} }],
      [
        'lets libpq keywords in the query override the URL',
        'postgresql://db/x?user=u&password=s%40cret&dbname=d&port=6543&application_name=periskop',
        { host: 'db', port: 6543, user: 'u', password: 's@cret', dbName: 'd', params: { application_name: 'periskop' } },
      ],
      ['defaults the database to the user name', 'postgres://periskop@db', { host: 'db', user: 'periskop', dbName: 'periskop', params: {} }],
      ['accepts an upper-case scheme', 'POSTGRES://u@db/d', { host: 'db', user: 'u', dbName: 'd', params: {} }],
    ])('%s', (_name, dsn, expected) => {
      expect(parseDsn('postgres', dsn)).toEqual(expected);
    });
  });

  describe('go-sql-driver/mysql DSNs', () => {
    it.each<[string, string, DatabaseConnection]>([
      [
        'reads the gorm example DSN, params kept',
        'user:pass@tcp(127.0.0.1:3306)/dbname?charset=utf8mb4&parseTime=True&loc=Local',
        { host: '127.0.0.1', port: 3306, user: 'user', password: 'pass', dbName: 'dbname', params: { charset: 'utf8mb4', parseTime: 'True', loc: 'Local' } },
      ],
      [
        'splits a password holding @ : / at the last @ and the first :',
        'user:p@ss:w/rd@tcp(host:3306)/db',
        { host: 'host', port: 3306, user: 'user', password: 'p@ss:w/rd', dbName: 'db', params: {} },
      ],
      ['keeps a password holding ( and spaces', 'user:p(a s)s@tcp(db)/d', { host: 'db', user: 'user', password: 'p(a s)s', dbName: 'd', params: {} }],
      ['leaves a missing port to the driver', 'root@tcp(localhost)/db', { host: 'localhost', user: 'root', dbName: 'db', params: {} }],
      ['reads an IPv6 address', 'u@tcp([::1]:3307)/db', { host: '::1', port: 3307, user: 'u', dbName: 'db', params: {} }],
      ['reads tcp6 as tcp', 'u@tcp6([::1]:3307)/db', { host: '::1', port: 3307, user: 'u', dbName: 'db', params: {} }],
      ['reads a unix socket', 'user@unix(/var/run/mysqld/mysqld.sock)/db', { socketPath: '/var/run/mysqld/mysqld.sock', user: 'user', dbName: 'db', params: {} }],
      ['reads a DSN with nothing but the database', '/db', { dbName: 'db', params: {} }],
      ['reads an address without user info', 'tcp(db:3306)/d', { host: 'db', port: 3306, dbName: 'd', params: {} }],
      ['reads a user without an address', 'root@/d', { user: 'root', dbName: 'd', params: {} }],
      ['reads an empty password as none', 'root:@tcp(db)/d', { host: 'db', user: 'root', dbName: 'd', params: {} }],
      [
        'keeps unknown params, query-unescaped',
        'u@tcp(db:3306)/d?timeout=5s&tls=skip-verify&loc=Europe%2FParis',
        { host: 'db', port: 3306, user: 'u', dbName: 'd', params: { timeout: '5s', tls: 'skip-verify', loc: 'Europe/Paris' } },
      ],
    ])('%s', (_name, dsn, expected) => {
      expect(parseDsn('mysql', dsn)).toEqual(expected);
    });
  });

  describe('MySQL URLs', () => {
    it.each<[string, string, DatabaseConnection]>([
      [
        'reads a mysql URL, percent-decoded',
        'mysql://u:s%40c%3Ar%2Fe%20t@db:3306/periskop?charset=utf8mb4',
        { host: 'db', port: 3306, user: 'u', password: 's@c:r/e t', dbName: 'periskop', params: { charset: 'utf8mb4' } },
      ],
      ['reads a mariadb URL without a port', 'mariadb://u@db/periskop', { host: 'db', user: 'u', dbName: 'periskop', params: {} }],
      ['reads a socket param', 'mysql://u@localhost/d?socket=/run/mysqld/mysqld.sock', { socketPath: '/run/mysqld/mysqld.sock', user: 'u', dbName: 'd', params: {} }],
    ])('%s', (_name, dsn, expected) => {
      expect(parseDsn('mysql', dsn)).toEqual(expected);
    });
  });

  it.each<[string, DsnType, string, string]>([
    ['an empty DSN', 'postgres', '  ', 'is empty'],
    ['a mysql URL for postgres', 'postgres', 'mysql://u@db/d', 'a mysql:// URL does not fit repository type postgres (use postgres:// or postgresql://)'],
    ['a postgres URL for mysql', 'mysql', 'postgresql://u@db/d', 'a postgresql:// URL does not fit repository type mysql (use mysql:// or mariadb://)'],
    ['a JDBC URL', 'postgres', 'jdbc:postgresql://db/d', 'is a JDBC URL; drop the "jdbc:" prefix'],
    [
      'a go-sql-driver DSN for postgres',
      'postgres',
      'u:p@tcp(db:3306)/d',
      'is a go-sql-driver (MySQL) DSN, but the repository type is postgres (expected e.g. "host=db user=periskop dbname=periskop")',
    ],
    [
      'a libpq DSN for mysql',
      'mysql',
      'host=db user=u dbname=d',
      'is a libpq key=value (PostgreSQL) DSN, but the repository type is mysql (expected e.g. "user:pass@tcp(db:3306)/periskop")',
    ],
    ['an unclosed libpq quote', 'postgres', "dbname=d password='abc", "the quoted value of password has no closing '"],
    ['a libpq port that is not a number', 'postgres', 'dbname=d port=abc', 'port "abc" is not a port number (1..65535)'],
    ['a libpq port out of range', 'postgres', 'dbname=d port=70000', 'port "70000" is not a port number (1..65535)'],
    ['several libpq hosts', 'postgres', 'host=a,b dbname=d', 'names several hosts; Periskop connects to one'],
    ['several URL hosts', 'postgres', 'postgres://u:p@a:5432,b:5432/d', 'names several hosts; Periskop connects to one'],
    ['no libpq dbname and no user', 'postgres', 'host=db sslmode=disable', 'dbname is missing (and there is no user to default it to)'],
    ['no URL database and no user', 'postgres', 'postgres://db:5432', 'dbname is missing (and there is no user to default it to)'],
    [
      'an invalid URL',
      'postgres',
      'postgres://u:p#x@db/d',
      'is not a valid URL (percent-encode @ : / ? # and spaces in the user name and password, e.g. %40 for @)',
    ],
    ['a bad percent-encoding', 'mysql', 'mysql://u@db/%zz', 'the database name has an invalid percent-encoding'],
    ['a go-sql-driver DSN without /dbname', 'mysql', 'user:pass@tcp(db:3306)', 'has no "/dbname" (expected [user[:password]@][tcp(host:port)]/dbname[?param=value])'],
    ['a go-sql-driver address without )', 'mysql', 'u@tcp(db:3306/d', 'the address "tcp(db:3306" has no closing ")" before "/dbname"'],
    ['an unsupported network', 'mysql', 'u@udp(db:1)/d', 'network "udp" is not supported (use tcp(host:port) or unix(/socket/path))'],
    ['a unix socket without path', 'mysql', 'u@unix()/d', 'unix() needs the socket path, e.g. unix(/run/mysqld/mysqld.sock)'],
    ['a go-sql-driver port that is not a number', 'mysql', 'u@tcp(db:x)/d', 'port "x" is not a port number (1..65535)'],
    ['a go-sql-driver DSN without dbname', 'mysql', 'u:p@tcp(db:3306)/', 'dbname is missing (the name after the "/", e.g. user:pass@tcp(db:3306)/periskop)'],
    ['a MySQL URL without dbname', 'mysql', 'mysql://u@db', 'dbname is missing (the URL path, e.g. mysql://user:pass@db:3306/periskop)'],
  ])('refuses %s', (_name, type, dsn, message) => {
    expect(errorFrom(type, dsn).message).toBe(message);
  });

  it.each<[string, DsnType, string]>([
    ['an unquoted libpq password with a space', 'postgres', 'user=u password=hunter2 hunter3 dbname=d'],
    ['a libpq password before a bad word', 'postgres', 'password=hunter2 hunter3'],
    ['a go-sql-driver password holding ( before the address', 'mysql', 'u:hunter2(x@tcp(db/d'],
    ['a go-sql-driver password holding / without /dbname', 'mysql', 'u:hunter2/hunter3@tcp(db)'],
    ['a go-sql-driver password holding / and a bad network', 'mysql', 'u:hunter2/hunter3@udp(db)'],
    ['a URL password holding /', 'postgres', 'postgres://u:hunter2/hunter3@db/d'],
    ['a URL password holding #', 'mysql', 'mysql://u:hunter2#hunter3@db/d'],
  ])('never shows the password in an error: %s', (_name, type, dsn) => {
    const { message } = errorFrom(type, dsn);
    expect(message).not.toMatch(/hunter/);
  });
});

describe('maskDsn', () => {
  it.each([
    ['a go-sql-driver password', 'user:secret@tcp(db:3306)/d', 'user:***@tcp(db:3306)/d'],
    ['a go-sql-driver password holding @ : /', 'user:p@ss:w/rd@tcp(db:3306)/d?x=1', 'user:***@tcp(db:3306)/d?x=1'],
    ['a go-sql-driver password holding / without /dbname', 'user:se/cret@tcp(db)', 'user:***@tcp(db)'],
    ['nothing without a go-sql-driver password', 'root@tcp(db:3306)/d', 'root@tcp(db:3306)/d'],
    ['nothing in a bare go-sql-driver address', 'tcp(db:3306)/d', 'tcp(db:3306)/d'],
    ['a libpq password', 'host=db password=secret dbname=d', 'host=db password=*** dbname=d'],
    ['a quoted libpq password with spaces and an escaped quote', "host=db password='a \\' b' dbname=d", 'host=db password=*** dbname=d'],
    ['an unclosed quoted libpq password', "host=db password='a b", 'host=db password=***'],
    ['every libpq password and sslpassword', 'password=a sslpassword = b password=c', 'password=*** sslpassword = *** password=***'],
    ['a URL password', 'postgres://u:secret@db/d', 'postgres://u:***@db/d'],
    ['a URL password holding @ and /', 'mysql://u:p@s/s@db:3306/d', 'mysql://u:***@db:3306/d'],
    ['a URL query password', 'postgresql://db/d?user=u&password=secret&sslmode=require', 'postgresql://db/d?user=u&password=***&sslmode=require'],
    ['nothing in a URL without a password', 'postgres://u@db:5432/d?application_name=a@b', 'postgres://u@db:5432/d?application_name=a@b'],
  ])('masks %s', (_name, dsn, masked) => {
    expect(maskDsn(dsn)).toBe(masked);
  });
});
