import { Logger } from '@nestjs/common';
import type { EventStore } from '../events/event-store.js';
import { partitionFilter, partitionNames } from '../events/partition.js';
import { Projector, type BatchApplied } from '../projector/projector.js';
import type { ProjectionOptions } from '../projector/projection-options.js';
import { ProjectionStore } from '../read-model/projection-store.js';
import type { ReadModelDatabase } from '../read-model/read-model-database.js';
import type { Ownership } from './ownership.js';

/**
 * One projector per stream partition this replica owns, each with its own durable consumer
 * (filtered on the partition's subjects) and checkpoint row. A projector gets a fresh
 * ProjectionStore whenever its partition is (re)acquired: another replica may have written
 * the partition meanwhile, so nothing cached may survive a handover. Partitions hold
 * disjoint services, hence disjoint read-model rows: their projectors never conflict.
 */
export class PartitionProjectors {
  private readonly logger = new Logger('Projector');
  private readonly running = new Map<number, Projector>();
  private readonly listeners: ((batch: BatchApplied) => void)[] = [];
  private readonly stopListeners: ((partition: number) => void)[] = [];
  /** Starts and stops of one partition happen in order. */
  private readonly queue = new Map<number, Promise<void>>();
  private started = false;

  constructor(
    private readonly events: EventStore,
    private readonly db: ReadModelDatabase,
    private readonly ownership: Ownership,
    readonly partitions: number,
    private readonly options: ProjectionOptions,
  ) {
    ownership.onPartitionChange((partition, owned) => {
      if (owned && !this.started) return; // start() picks it up
      return this.enqueue(partition, () => (owned ? this.startPartition(partition) : this.stopPartition(partition)));
    });
  }

  onBatchApplied(listener: (batch: BatchApplied) => void): void {
    this.listeners.push(listener);
  }

  /** Called once a partition handed over is no longer projected here (no batch of it follows). */
  onPartitionStopped(listener: (partition: number) => void): void {
    this.stopListeners.push(listener);
  }

  /** Starts the projectors of the partitions owned now (call once the database is ready). */
  async start(): Promise<void> {
    this.started = true;
    const owned = Array.from({ length: this.partitions }, (_, k) => k).filter((k) => this.ownership.ownsPartition(k));
    await Promise.all(owned.map((k) => this.enqueue(k, () => this.startPartition(k))));
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.running.keys()].map((k) => this.enqueue(k, () => this.stopPartition(k))));
  }

  private enqueue(partition: number, step: () => Promise<void>): Promise<void> {
    const next = (this.queue.get(partition) ?? Promise.resolve()).then(step).catch((error: unknown) => {
      this.logger.error(`partition ${partition}: ${(error as Error)?.stack ?? String(error)}`);
    });
    this.queue.set(partition, next);
    return next;
  }

  private async startPartition(partition: number): Promise<void> {
    if (this.running.has(partition) || !this.ownership.ownsPartition(partition)) return;
    await this.db.ready();
    const names = partitionNames(partition, this.partitions);
    const projector = new Projector(this.events, new ProjectionStore(this.db, names.checkpoint), this.options, {
      consumer: names.consumer,
      filterSubject: partitionFilter(partition, this.partitions),
      rebuildWhenAhead: false,
    });
    projector.onBatchApplied((batch) => this.listeners.forEach((listener) => listener({ ...batch, partition })));
    await projector.start();
    this.running.set(partition, projector);
    this.logger.log(`projecting partition ${partition} of ${this.partitions} from sequence ${projector.checkpoint + 1}`);
  }

  private async stopPartition(partition: number): Promise<void> {
    const projector = this.running.get(partition);
    if (!projector) return;
    this.running.delete(partition);
    // Resolves once the batch in flight is committed or rolled back.
    await projector.stop();
    this.logger.log(`stopped projecting partition ${partition}`);
    for (const listener of this.stopListeners) listener(partition);
  }
}
