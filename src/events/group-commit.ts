import type { EncodedEvent } from './event-store.js';

/** Where a group of events goes at once: EventStore.publishEncoded. */
export type PublishMany = (items: EncodedEvent[]) => Promise<number[]>;

export interface GroupCommitOptions {
  /** How long the first event of a group waits for others to join it. */
  lingerMs: number;
  /** A group is written as soon as it has this many events. */
  maxEvents: number;
}

/**
 * Events published one by one (one per scraped target) written in groups: the embedded log
 * commits, and syncs to disk, once per append, and a scrape round of 1,000 targets paid
 * 1,000 syncs on the event loop. An event waits at most lingerMs (less when its group fills
 * up) plus the writing of the groups before it, and each caller still learns whether its own event is in
 * the log: a group that fails fails every event in it, none is written twice (their ids are
 * the log's de-duplication ids).
 */
export class GroupCommit {
  private pending: { item: EncodedEvent; resolve: (seq: number) => void; reject: (error: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** The group being written: the next one starts once it is in, keeping events in order. */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly publishMany: PublishMany,
    private readonly options: GroupCommitOptions,
  ) {
    if (!(options.lingerMs >= 0) || !Number.isSafeInteger(options.maxEvents) || options.maxEvents < 1) {
      throw new Error(`GroupCommit: lingerMs must be ≥ 0 and maxEvents a positive integer, got ${JSON.stringify(options)}`);
    }
  }

  /** Resolves with the event's log sequence once its group is written. */
  publish(item: EncodedEvent): Promise<number> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.options.maxEvents) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.lingerMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const group = this.pending;
    this.pending = [];
    if (group.length === 0) return;
    this.writing = this.writing.then(async () => {
      try {
        const seqs = await this.publishMany(group.map((p) => p.item));
        group.forEach((p, i) => p.resolve(seqs[i]!));
      } catch (error) {
        for (const p of group) p.reject(error);
      }
    });
  }
}
