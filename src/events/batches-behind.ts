// Batches a consumer's handler handed over to be committed later (EventLog's CommittedLater):
// each is acknowledged once it and every batch before it committed, in order, since an
// acknowledgement covers everything before it (JetStream's AckPolicy.All, the embedded log's
// acked sequence). A failed commit makes the consumer start again at that batch's first message.

/** Returned by a batch handler whose batch commits after it resolves (the projector's writes). */
export interface CommittedLater {
  committed: Promise<void>;
}

export function isCommittedLater(result: unknown): result is CommittedLater {
  return typeof result === 'object' && result !== null && (result as CommittedLater).committed instanceof Promise;
}

interface Behind {
  fromSeq: number;
  /** Settles once the batch committed and was acknowledged, or failed; never rejects. */
  done: Promise<void>;
  failed: Error | null;
}

export class BatchesBehind {
  private behind: Behind[] = [];

  /** `onFailure` is called when a commit fails (a consumer waiting for messages wakes up). */
  constructor(private readonly onFailure: () => void) {}

  /** The oldest failed commit, if any: the consumer must start again at its first message. */
  failure(): { fromSeq: number; error: Error } | null {
    const first = this.behind.find((b) => b.failed);
    return first ? { fromSeq: first.fromSeq, error: first.failed! } : null;
  }

  /**
   * `acknowledge` acknowledges the batch (and all before it); a failure there is reported, not
   * retried: a later acknowledgement covers it, and a restarted consumer starts where its caller says.
   */
  add(fromSeq: number, throughSeq: number, { committed }: CommittedLater, acknowledge: () => void | Promise<void>): void {
    const previous = this.behind.at(-1)?.done ?? Promise.resolve();
    const entry: Behind = { fromSeq, done: Promise.resolve(), failed: null };
    entry.done = Promise.all([committed, previous]).then(
      async () => {
        // An earlier batch failed: this one was folded on top of it and is not acknowledged.
        if (this.behind.some((b) => b.failed && b.fromSeq < fromSeq)) {
          entry.failed = new Error(`a commit before seq ${fromSeq} failed`);
          return;
        }
        try {
          await acknowledge();
        } catch (error) {
          console.error(`acknowledging through seq ${throughSeq} failed (a later one covers it):`, error);
        }
        this.behind = this.behind.filter((b) => b !== entry);
      },
      (error: unknown) => {
        entry.failed = error instanceof Error ? error : new Error(String(error));
        this.onFailure();
      },
    );
    this.behind.push(entry);
  }

  /**
   * Waits for every batch behind to commit or fail, and forgets them. Returns the first
   * sequence to start again at when one failed, else null.
   */
  async settle(): Promise<number | null> {
    const pending = this.behind;
    await Promise.all(pending.map((b) => b.done));
    this.behind = [];
    return pending.find((b) => b.failed)?.fromSeq ?? null;
  }
}
