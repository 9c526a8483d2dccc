import { AggregatedErrorEntity, ServiceEntity, TargetEntity, type AggregatedErrorRow, type TargetRow } from './entities.js';
import type { ReadModelDatabase } from './read-model-database.js';
import { rowId } from './row-id.js';

/** What the API reads. Each call works on its own fork of the entity manager. */
export class ReadModelQueries {
  constructor(private readonly db: ReadModelDatabase) {}

  async services(): Promise<string[]> {
    const rows = await this.db.read((em) => em.find(ServiceEntity, {}));
    return rows.map((r) => r.name).sort();
  }

  async serviceExists(service: string): Promise<boolean> {
    return (await this.db.read((em) => em.count(ServiceEntity, { id: rowId(service) }))) > 0;
  }

  /** Unresolved aggregated errors of a service, most recent first. */
  async openErrors(service: string): Promise<AggregatedErrorRow[]> {
    return this.db.read((em) =>
      em.find(AggregatedErrorEntity, { serviceId: rowId(service), resolvedAt: null }, { orderBy: { lastSeen: 'desc', id: 'asc' } }),
    );
  }

  async allAggregates(): Promise<AggregatedErrorRow[]> {
    return this.db.read((em) => em.find(AggregatedErrorEntity, {}));
  }

  async targets(): Promise<TargetRow[]> {
    const rows = await this.db.read((em) => em.find(TargetEntity, {}));
    return rows.sort((a, b) => (a.service === b.service ? (a.url < b.url ? -1 : 1) : a.service < b.service ? -1 : 1));
  }
}
