import { Logger } from '@nestjs/common';
import type { EventLog } from '../events/event-log.js';
import type { EventStore } from '../events/event-store.js';
import { JetStreamEventLog } from '../events/jetstream-event-log.js';
import { partitionNames, partitionOf } from '../events/partition.js';
import type { Projector } from '../projector/projector.js';
import type { ReadModelDatabase } from '../read-model/read-model-database.js';
import { readCheckpoints } from './partition-checkpoints.js';

export interface PartitionStatus {
  partition: number;
  checkpoint: number;
  /** Messages of the partition not applied yet; null when its consumer does not exist yet. */
  lag: number | null;
}

export interface ProjectionStatus {
  /** Every event up to it is visible in the API. */
  checkpoint: number;
  head: number;
  lag: number;
  /** Present when the stream is projected per partition. */
  partitions?: PartitionStatus[];
}

const POLL_MS = 25;

/**
 * How far the read model is. With one projector in this process it is that projector's
 * checkpoint; projected per partition (possibly by other replicas) it is read from the
 * database's checkpoint rows and the partitions' durable consumers, so any replica answers.
 */
export class ProjectionProgress {
  private readonly logger = new Logger('Projection');

  constructor(
    private readonly events: EventStore,
    private readonly log: EventLog,
    private readonly projector: Projector,
    private readonly db: ReadModelDatabase,
    /** Null: the one projector of this process folds the whole log. */
    private readonly partitions: number | null,
  ) {}

  async status(): Promise<ProjectionStatus> {
    const head = await this.events.head();
    if (this.partitions === null) {
      const checkpoint = this.projector.checkpoint;
      return { checkpoint, head, lag: Math.max(0, head - checkpoint) };
    }
    const partitions = await this.partitionStatuses(head);
    // Everything up to the lowest checkpoint of a partition with work left is applied.
    const behind = partitions.filter((p) => p.lag !== 0);
    const checkpoint = behind.length === 0 ? head : Math.min(...behind.map((p) => p.checkpoint));
    const lag = partitions.reduce((sum, p) => sum + (p.lag ?? Math.max(0, head - p.checkpoint)), 0);
    return { checkpoint, head, lag, partitions };
  }

  /**
   * Waits (bounded) until the event at `seq` of `service` is visible in the read model.
   * Returns false on timeout: the event is recorded, only not visible yet.
   */
  async waitUntilApplied(service: string, seq: number, timeoutMs = 5_000): Promise<boolean> {
    if (this.partitions === null) {
      return this.projector.waitFor(seq, timeoutMs).then(
        () => true,
        () => false,
      );
    }
    const { checkpoint } = partitionNames(partitionOf(service, this.partitions), this.partitions);
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if ((await readCheckpoints(this.db, [checkpoint])).get(checkpoint)! >= seq) return true;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    this.logger.warn(`sequence ${seq} of service "${service}" not projected within ${timeoutMs} ms`);
    return false;
  }

  private async partitionStatuses(head: number): Promise<PartitionStatus[]> {
    const count = this.partitions!;
    const names = Array.from({ length: count }, (_, k) => partitionNames(k, count));
    // Backlogs first: a checkpoint read afterwards is at least as new as the backlog says.
    const backlogs = await Promise.all(
      names.map((n) => (this.log instanceof JetStreamEventLog ? this.log.consumerBacklog(n.consumer) : Promise.resolve(null))),
    );
    const checkpoints = await readCheckpoints(this.db, names.map((n) => n.checkpoint));
    return names.map((n, partition) => {
      const checkpoint = checkpoints.get(n.checkpoint)!;
      const backlog = backlogs[partition] ?? null;
      // Without a consumer, a partition whose checkpoint is the head has nothing left either.
      return { partition, checkpoint, lag: backlog ?? (checkpoint >= head ? 0 : null) };
    });
  }
}
