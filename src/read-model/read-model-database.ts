import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Logger } from '@nestjs/common';
import { MikroORM, type MigrationObject, type Options } from '@mikro-orm/core';
import { BetterSqliteDriver } from '@mikro-orm/better-sqlite';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { Migrator } from '@mikro-orm/migrations';
import { MySqlDriver } from '@mikro-orm/mysql';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { DatabaseConnection, RepositoryConfig } from '../config/config.types.js';
import { READ_MODEL_ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations/index.js';
import { SqliteWriterThread } from './sqlite-writer.js';
import { WalCheckpointer, WRITER_AUTOCHECKPOINT_PAGES } from './wal-checkpointer.js';

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

/**
 * knex's warnings on MySQL go to the server's log, except its notice that MySQL committed a
 * migration's transaction at a DDL statement (knex#805): MySQL cannot roll DDL back whatever
 * wraps it, and the notice came once per migration statement at every start of a new database.
 */
const knexLogger = new Logger('knex');
const MYSQL_KNEX_LOG = {
  warn(message: unknown): void {
    if (typeof message === 'string' && message.startsWith('Transaction was implicitly committed')) return;
    knexLogger.warn(String(message));
  },
};

/** The read model's database is not answering; the API turns this into 503. */
export class ReadModelUnavailable extends Error {}

/**
 * The read model's database. Requests and projector batches each work on their own
 * `fork()` of the entity manager, never on the global one. A database that is down at start
 * is retried with backoff; until then (and whenever it is down later) reads fail with
 * ReadModelUnavailable and /-/health names it.
 */
export class ReadModelDatabase {
  private readonly logger = new Logger('ReadModel');
  private readyPromise: Promise<void> | null = null;
  private migrated = false;
  private closed = false;
  private checkpointer: WalCheckpointer | null = null;
  private writer: SqliteWriterThread | null = null;

  private constructor(
    private readonly orm: MikroORM,
    readonly description: string,
    /** The SQLite file whose log a thread of its own checkpoints (wal-checkpointer.ts); null: not a file. */
    private readonly sqliteFile: string | null,
  ) {}

  /** `migrations`: all of them; a test builds an older schema with the first few. */
  static async create(repository: RepositoryConfig, migrations: MigrationObject[] = MIGRATIONS): Promise<ReadModelDatabase> {
    const { options, description } = ormOptions(repository);
    const orm = await MikroORM.init({
      ...options,
      entities: READ_MODEL_ENTITIES,
      extensions: [Migrator],
      migrations: { migrationsList: migrations, transactional: true, allOrNothing: true, silent: true },
      discovery: { warnWhenNoEntities: false },
      // Connecting waits for ready(), which retries: a database that is down must not stop the start.
      connect: false,
      debug: false,
      allowGlobalContext: false,
    });
    return new ReadModelDatabase(orm, description, repository.type === 'sqlite' ? repository.path : null);
  }

  /** Connects and migrates, retrying with backoff until it works. Shared by all callers. */
  ready(): Promise<void> {
    this.readyPromise ??= this.connectWithRetry();
    return this.readyPromise;
  }

  private async connectWithRetry(): Promise<void> {
    let delay = FIRST_RETRY_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        // Creates the database when it does not exist (the tables come from the migrations).
        await this.orm.schema.ensureDatabase({ create: false });
        break;
      } catch (error) {
        if (this.closed) throw new ReadModelUnavailable(`${this.description}: closed while connecting`);
        this.logger.error(`${this.description} is unreachable (attempt ${attempt}, next in ${delay} ms): ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, MAX_RETRY_MS);
      }
    }
    if (delay > FIRST_RETRY_MS) this.logger.log(`${this.description} is reachable`);
    // A migration that fails on a reachable database is a defect, not an outage: no retry.
    await this.orm.getMigrator().up();
    // After the migrations: the file exists, in WAL mode.
    if (this.sqliteFile !== null && !this.closed) {
      this.checkpointer = WalCheckpointer.start(this.sqliteFile);
      this.writer = SqliteWriterThread.start(this.sqliteFile);
    }
    // Reads (and /-/health) need no more than the migrations.
    this.migrated = true;
    // ready() also waits for the threads: the first batches are not written while they start.
    await Promise.all([this.checkpointer?.started, this.writer?.started]);
  }

  /** The thread that commits the projector's writes to a SQLite file (sqlite-writer.ts); null: commit on a fork. */
  writerThread(): SqliteWriterThread | null {
    return this.writer?.running ? this.writer : null;
  }

  fork(): SqlEntityManager {
    return this.orm.em.fork() as SqlEntityManager;
  }

  /** Empties every table (a rebuild from the log starts from nothing). */
  async clear(): Promise<void> {
    await this.orm.schema.clearDatabase({ truncate: true });
  }

  async isReachable(): Promise<boolean> {
    return this.migrated && !this.closed && (await this.orm.isConnected());
  }

  /** Runs a read; a failure while the database is unreachable becomes ReadModelUnavailable. */
  async read<T>(query: (em: SqlEntityManager) => Promise<T>): Promise<T> {
    if (!this.migrated) throw new ReadModelUnavailable(`read model database (${this.description}) is not reachable yet`);
    try {
      return await query(this.fork());
    } catch (error) {
      if (await this.isReachable()) throw error;
      throw new ReadModelUnavailable(`read model database (${this.description}) is unreachable: ${(error as Error).message}`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.writer?.stop();
    this.writer = null;
    await this.checkpointer?.stop();
    this.checkpointer = null;
    await this.orm.close(true);
  }
}

function ormOptions(repository: RepositoryConfig): { options: Options; description: string } {
  switch (repository.type) {
    case 'memory':
      return { options: { driver: BetterSqliteDriver, dbName: ':memory:' }, description: 'SQLite in memory' };
    case 'sqlite':
      mkdirSync(dirname(repository.path), { recursive: true });
      return {
        options: { driver: BetterSqliteDriver, dbName: repository.path, pool: { afterCreate: sqliteFilePragmas } },
        description: `SQLite ${repository.path}`,
      };
    case 'postgres':
      return {
        options: { driver: PostgreSqlDriver, ...serverOptions(repository.connection), driverOptions: postgresDriverOptions(repository.connection) },
        description: `PostgreSQL ${where(repository.connection)}`,
      };
    case 'mysql':
      return {
        options: {
          driver: MySqlDriver,
          ...serverOptions(repository.connection),
          driverOptions: { log: MYSQL_KNEX_LOG, ...(repository.connection.socketPath ? { connection: { socketPath: repository.connection.socketPath } } : {}) },
        },
        description: `MySQL ${where(repository.connection)}`,
      };
    default: {
      const unknown: never = repository;
      throw new Error(`unknown repository ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * The read model is disposable (rebuilt from the log) and its checkpoint commits with each
 * batch, so a commit lost to a power cut is only replayed: WAL with synchronous=NORMAL (no
 * fsync per commit) is safe here, and lets API reads run beside the projector's writes.
 * 16 KiB pages: when occurrences were stored a row each, a row (~2 KB with its stack trace)
 * took a 4 KiB page of its own, half of it empty; with 16 KiB pages a rebuilt read model was
 * 20 % smaller and a replay 15–20 % faster. It applies only when the file is created (SQLite keeps
 * an existing file's page size), so it comes before WAL.
 */
function sqliteFilePragmas(connection: { pragma(sql: string): unknown }, done: (error: Error | null, connection: unknown) => void): void {
  try {
    connection.pragma('page_size = 16384');
    connection.pragma('journal_mode = WAL');
    connection.pragma('synchronous = NORMAL');
    // The log is checkpointed by a thread of its own (wal-checkpointer.ts); this is the backstop.
    connection.pragma(`wal_autocheckpoint = ${WRITER_AUTOCHECKPOINT_PAGES}`);
    done(null, connection);
  } catch (error) {
    done(error as Error, connection);
  }
}

function serverOptions(c: DatabaseConnection): Partial<Options> {
  return {
    dbName: c.dbName,
    ...(c.host !== undefined ? { host: c.host } : {}),
    ...(c.socketPath !== undefined && c.host === undefined ? { host: c.socketPath } : {}),
    ...(c.port !== undefined ? { port: c.port } : {}),
    ...(c.user !== undefined ? { user: c.user } : {}),
    ...(c.password !== undefined ? { password: c.password } : {}),
  };
}

/** libpq's sslmode: disable/allow/prefer connect in plain text here; require and up use TLS. */
function postgresDriverOptions(c: DatabaseConnection): Record<string, unknown> {
  const mode = c.params.sslmode;
  if (mode === 'require') return { connection: { ssl: { rejectUnauthorized: false } } };
  if (mode === 'verify-ca' || mode === 'verify-full') return { connection: { ssl: { rejectUnauthorized: true } } };
  return {};
}

function where(c: DatabaseConnection): string {
  const server = c.socketPath ?? `${c.host ?? 'localhost'}${c.port ? `:${c.port}` : ''}`;
  return `${server}/${c.dbName}`;
}
