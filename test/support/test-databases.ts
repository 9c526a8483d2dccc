import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';

// Real databases for tests: every call makes a database of its own, dropped by `drop`.
// PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and MariaDB on 127.0.0.1:3306 (root,
// no password), as on the developers' machines and in CI.

export type DatabaseKind = 'sqlite' | 'postgres' | 'mysql';
export const DATABASE_KINDS: DatabaseKind[] = ['sqlite', 'postgres', 'mysql'];

export interface TestDatabase {
  kind: DatabaseKind;
  /** The config file's `repository` section for it, in the Go server's DSN styles. */
  section: Record<string, string>;
  drop: () => Promise<void>;
}

export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  const name = `periskop_test_${randomBytes(5).toString('hex')}`;
  switch (kind) {
    case 'sqlite': {
      const dir = await mkdtemp(join(tmpdir(), 'periskop-db-'));
      return { kind, section: { type: 'sqlite', path: join(dir, 'read-model.sqlite') }, drop: () => rm(dir, { recursive: true, force: true }) };
    }
    case 'postgres': {
      await postgres(`CREATE DATABASE ${name}`);
      return {
        kind,
        section: { type: 'postgres', dsn: `host=127.0.0.1 port=5432 user=postgres dbname=${name} sslmode=disable` },
        drop: () => postgres(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      };
    }
    case 'mysql': {
      await mariadb(`CREATE DATABASE ${name}`);
      return {
        kind,
        section: { type: 'mysql', dsn: `root@tcp(127.0.0.1:3306)/${name}?charset=utf8mb4&parseTime=True&loc=Local` },
        drop: () => mariadb(`DROP DATABASE IF EXISTS ${name}`),
      };
    }
  }
}

async function postgres(sql: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function mariadb(sql: string): Promise<void> {
  const connection = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: 'test' });
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}
