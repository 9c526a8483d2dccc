// `repository`: where the read model lives. Absent means memory, as in the Go server.

import type { RepositoryConfig } from './config.types.js';
import { DsnError, parseDsn } from './dsn.js';
import { normalizeDataPath } from './data-path.js';
import type { YamlNode } from './yaml-node.js';

export const DEFAULT_SQLITE_PATH = 'data/periskop.sqlite';

const REPOSITORY_KEYS = ['type', 'path', 'dsn'] as const;

const REPOSITORY_TYPES: Readonly<Record<string, RepositoryConfig['type']>> = {
  memory: 'memory',
  sqlite: 'sqlite',
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
};

const DSN_EXAMPLES: Readonly<Record<string, string>> = {
  postgres: '"postgres://user:pass@host:5432/periskop" or "host=db user=periskop dbname=periskop"',
  mysql: '"user:pass@tcp(host:3306)/periskop" or "mysql://user:pass@host:3306/periskop"',
};

export function parseRepositoryConfig(node: YamlNode): RepositoryConfig {
  if (node.isAbsent) return { type: 'memory' };
  node.rejectUnknownKeys(REPOSITORY_KEYS);
  const typeNode = node.field('type');
  const typeName = typeNode.optional((n) => n.string(), 'memory');
  const type = REPOSITORY_TYPES[typeName];
  if (type === undefined) {
    throw typeNode.error(`"${typeName}" is not a repository type (allowed: memory, sqlite, postgres, mysql)`);
  }
  // The Go server ignored the keys its type does not use, so they are accepted (and
  // type-checked) with every type rather than refused.
  const path = node.field('path').optional((n) => n.nonEmptyString(), undefined);
  const dsnNode = node.field('dsn');
  const dsn = dsnNode.optional((n) => n.nonEmptyString(), undefined);
  switch (type) {
    case 'memory':
      return { type };
    case 'sqlite':
      return { type, path: normalizeDataPath(path ?? DEFAULT_SQLITE_PATH) };
    case 'postgres':
    case 'mysql':
      if (dsn === undefined) throw dsnNode.error(`required with type ${typeName} (e.g. ${DSN_EXAMPLES[type]})`);
      try {
        return { type, dsn, connection: parseDsn(type, dsn) };
      } catch (error) {
        // The DSN itself is not repeated: the message says what is wrong without the password.
        if (error instanceof DsnError) throw dsnNode.error(error.message);
        throw error;
      }
  }
}
