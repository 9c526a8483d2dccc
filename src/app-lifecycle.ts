import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { PERISKOP_CONFIG, type PeriskopConfig } from './config/config.types.js';
import { OWNERSHIP, type Ownership } from './cluster/ownership.js';
import { PartitionProjectors } from './cluster/partition-projectors.js';
import { projectedPartitions } from './cluster/cluster.module.js';
import { ProjectionProgress } from './cluster/projection-progress.js';
import { TargetDirectory } from './discovery/target-directory.js';
import { EVENT_LOG, type EventLog } from './events/event-log.js';
import { describeEventLog } from './events/open-event-log.js';
import { PERISKOP_VERSION } from './version.js';
import { PeriskopMetrics } from './metrics/periskop-metrics.js';
import { Projector } from './projector/projector.js';
import { ReadModelDatabase } from './read-model/read-model-database.js';
import { ReadModelQueries } from './read-model/read-model-queries.js';
import { Scraper } from './scraper/scraper.js';

/** Starts the pipeline in dependency order and stops it in reverse. */
@Injectable()
export class AppLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Periskop');
  private projection: Promise<void> = Promise.resolve();

  constructor(
    @Inject(PERISKOP_CONFIG) private readonly config: PeriskopConfig,
    @Inject(EVENT_LOG) private readonly log: EventLog,
    private readonly db: ReadModelDatabase,
    private readonly queries: ReadModelQueries,
    private readonly projector: Projector,
    private readonly directory: TargetDirectory,
    private readonly scraper: Scraper,
    private readonly metrics: PeriskopMetrics,
    @Inject(OWNERSHIP) private readonly ownership: Ownership,
    private readonly partitionProjectors: PartitionProjectors,
    private readonly progress: ProjectionProgress,
  ) {}

  private get partitioned(): boolean {
    return projectedPartitions(this.config) !== null;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.logger.log(`events: ${describeEventLog(this.config.events)}; read model: ${this.db.description}`);
    this.metrics.keysPerService = this.config.server.metricsKeysPerService;
    this.metrics.useBreakdownLabel(this.config.server.metricsBreakdownLabel);
    this.metrics.buildInfo.set({ version: PERISKOP_VERSION, nodejs: process.version }, 1);
    this.metrics.measureLagWith(async () => (await this.progress.status()).lag);
    await this.directory.start();
    this.scraper.start();
    // Scraping and serving go on while the database is unreachable; projection waits for it.
    this.projection = this.startProjection().catch((error: unknown) =>
      this.logger.error(`projection did not start: ${(error as Error).stack ?? String(error)}`),
    );
    // In a cluster: take leases (services to scrape, partitions to project) from now on.
    await this.ownership.start();
  }

  private async startProjection(): Promise<void> {
    await this.db.ready();
    this.metrics.reset();
    const label = this.config.server.metricsBreakdownLabel;
    this.metrics.setAggregates(await this.queries.aggregateTotals(), label === null ? [] : await this.queries.breakdownsOf(label));
    const projection = this.partitioned ? this.partitionProjectors : this.projector;
    projection.onBatchApplied((batch) => {
      this.metrics.setAggregates(batch.changedAggregates, batch.changedBreakdowns);
      // Partitions' checkpoints are positions in one stream with gaps: one series each.
      if (batch.partition === undefined) this.metrics.projectorCheckpoint.set(batch.throughSeq);
      else this.metrics.projectorCheckpoint.set({ partition: String(batch.partition) }, batch.throughSeq);
      this.metrics.projectorBatchDuration.observe(batch.durationMs / 1000);
    });
    // A partition handed over to another replica is exported there, not here.
    if (this.partitioned) this.partitionProjectors.onPartitionStopped((partition) => this.metrics.projectorCheckpoint.remove({ partition: String(partition) }));
    await projection.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Hands this replica's services and partitions over before anything else stops.
    await this.ownership.stop();
    await this.scraper.stop();
    await this.directory.stop();
    await this.projection;
    await (this.partitioned ? this.partitionProjectors : this.projector).stop();
    await this.log.close();
    await this.db.close();
    this.logger.log('stopped: scrapes cancelled, projection stopped, event log and read model closed');
  }
}
