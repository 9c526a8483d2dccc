import { AggregatedErrorEntity, ServiceEntity, TargetEntity, type AggregatedErrorRow, type TargetRow } from './entities.js';
import type { ReadModelDatabase } from './read-model-database.js';
import { rowId } from './row-id.js';

/** What the API reads. Each call works on its own fork of the entity manager. */
export class ReadModelQueries {
  constructor(private readonly db: ReadModelDatabase) {}

  async services(): Promise<string[]> {
    const rows = await this.db.fork().find(ServiceEntity, {}, { orderBy: { name: 'asc' } });
    return rows.map((r) => r.name);
  }

  async serviceExists(service: string): Promise<boolean> {
    return (await this.db.fork().count(ServiceEntity, { id: rowId(service) })) > 0;
  }

  /** Unresolved aggregated errors of a service, most recent first. */
  async openErrors(service: string): Promise<AggregatedErrorRow[]> {
    return this.db
      .fork()
      .find(AggregatedErrorEntity, { service, resolvedAt: null }, { orderBy: { lastSeen: 'desc', aggregationKey: 'asc' } });
  }

  async allAggregates(): Promise<AggregatedErrorRow[]> {
    return this.db.fork().find(AggregatedErrorEntity, {});
  }

  async targets(): Promise<TargetRow[]> {
    return this.db.fork().find(TargetEntity, {}, { orderBy: { service: 'asc', url: 'asc' } });
  }
}
