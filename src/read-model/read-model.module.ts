import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { RepositoryConfig } from '../config/config.types.js';
import { ProjectionStore } from './projection-store.js';
import { ReadModelDatabase } from './read-model-database.js';
import { ReadModelQueries } from './read-model-queries.js';

@Global()
@Module({})
export class ReadModelModule {
  static forConfig(repository: RepositoryConfig): DynamicModule {
    return {
      module: ReadModelModule,
      providers: [
        { provide: ReadModelDatabase, useFactory: () => ReadModelDatabase.create(repository) },
        { provide: ProjectionStore, useFactory: (db: ReadModelDatabase) => new ProjectionStore(db), inject: [ReadModelDatabase] },
        { provide: ReadModelQueries, useFactory: (db: ReadModelDatabase) => new ReadModelQueries(db), inject: [ReadModelDatabase] },
      ],
      exports: [ReadModelDatabase, ProjectionStore, ReadModelQueries],
    };
  }
}
