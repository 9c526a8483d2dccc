import { Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';
import { ProjectionController } from './projection.controller.js';
import { ProjectorModule } from '../projector/projector.module.js';
import { Projector } from '../projector/projector.js';
import { PartitionProjectors } from '../cluster/partition-projectors.js';
import { ReadModelQueries } from '../read-model/read-model-queries.js';
import { ScraperModule } from '../scraper/scraper.module.js';
import { UiApiController } from './ui-api.controller.js';
import { ServicesController } from './services.controller.js';
import { TargetsController } from './targets.controller.js';
import { AppliedSeqMemo } from './applied-seq-memo.js';
import { projectedPartitions } from '../cluster/cluster.module.js';
import { PERISKOP_CONFIG, type PeriskopConfig } from '../config/config.types.js';

/** How long the applied sequence is memoised when this process runs the only projector. */
const APPLIED_SEQ_MAX_AGE_MS = 250;

@Module({
  imports: [ProjectorModule, ScraperModule],
  controllers: [ServicesController, TargetsController, HealthController, ProjectionController, UiApiController],
  providers: [
    {
      provide: AppliedSeqMemo,
      // Whichever projectors run in this process say when the read model moved; with partitions
      // other replicas commit too, unseen here.
      useFactory: (queries: ReadModelQueries, projector: Projector, partitions: PartitionProjectors, config: PeriskopConfig) => {
        const maxAgeMs = projectedPartitions(config) === null ? APPLIED_SEQ_MAX_AGE_MS : 0;
        const memo = new AppliedSeqMemo(() => queries.appliedSeq(), maxAgeMs);
        projector.onBatchApplied(() => memo.invalidate());
        partitions.onBatchApplied(() => memo.invalidate());
        return memo;
      },
      inject: [ReadModelQueries, Projector, PartitionProjectors, PERISKOP_CONFIG],
    },
  ],
})
export class ApiModule {}
