export { ReadModelModule } from './read-model.module.js';
export { ReadModelDatabase } from './read-model-database.js';
export { ProjectionStore } from './projection-store.js';
export { ReadModelQueries } from './read-model-queries.js';
export type { AggregatedErrorRow, TargetRow } from './entities.js';
export type { AggregatedError } from './aggregate-rows.js';
