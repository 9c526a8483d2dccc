import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import { BetterSqliteDriver } from '@mikro-orm/better-sqlite';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { RepositoryConfig } from '../config/config.types.js';
import { READ_MODEL_ENTITIES } from './entities.js';

/**
 * The read model's database. Requests and projector batches each work on their own
 * `fork()` of the entity manager, never on the global one.
 */
export class ReadModelDatabase {
  private constructor(
    private readonly orm: MikroORM,
    readonly description: string,
  ) {}

  static async open(repository: RepositoryConfig): Promise<ReadModelDatabase> {
    const { options, description } = ormOptions(repository);
    const orm = await MikroORM.init({
      ...options,
      entities: READ_MODEL_ENTITIES,
      discovery: { warnWhenNoEntities: false },
      debug: false,
      allowGlobalContext: false,
    });
    // Issue 3 replaces this with committed migrations.
    await orm.schema.updateSchema();
    return new ReadModelDatabase(orm, description);
  }

  fork(): SqlEntityManager {
    return this.orm.em.fork() as SqlEntityManager;
  }

  /** Empties every table (a rebuild from the log starts from nothing). */
  async clear(): Promise<void> {
    await this.orm.schema.clearDatabase();
  }

  async isReachable(): Promise<boolean> {
    return this.orm.isConnected();
  }

  async close(): Promise<void> {
    await this.orm.close(true);
  }
}

function ormOptions(repository: RepositoryConfig): { options: Options; description: string } {
  switch (repository.type) {
    case 'memory':
      return { options: { driver: BetterSqliteDriver, dbName: ':memory:' }, description: 'SQLite in memory' };
    case 'sqlite':
      mkdirSync(dirname(repository.path), { recursive: true });
      return { options: { driver: BetterSqliteDriver, dbName: repository.path }, description: `SQLite ${repository.path}` };
    case 'postgres':
    case 'mysql':
      throw new Error(`repository.type ${repository.type} is not supported yet (use memory or sqlite)`);
    default: {
      const unknown: never = repository;
      throw new Error(`unknown repository ${JSON.stringify(unknown)}`);
    }
  }
}
