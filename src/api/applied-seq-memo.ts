/**
 * The read model's applied sequence (read-model-queries.ts appliedSeq), remembered for a short
 * while so a busy API asks the database a few times a second, not once per request. It is
 * dropped whenever this process learns the read model moved (its projectors committed, a
 * resolve was projected, a client read the projection status), so a client that waited for
 * a commit sees it; commits by other processes show within `maxAgeMs`. Where other replicas
 * project (partitions), a resolve answered by one must show on the others at once: there
 * `maxAgeMs` is 0 and every call reads.
 * Elapsed time comes from a monotonic timer: it is a cache age, not a domain time.
 */
export class AppliedSeqMemo {
  private remembered: { seq: number; at: number } | null = null;
  private pending: Promise<number> | null = null;
  /** Moves on every invalidation: a read started before it must not be remembered after it. */
  private generation = 0;

  constructor(
    private readonly read: () => Promise<number>,
    private readonly maxAgeMs = 250,
    private readonly now: () => number = () => performance.now(),
  ) {}

  current(): Promise<number> {
    // No memo at all: not even a read in flight is shared, it may have started before a change.
    if (this.maxAgeMs <= 0) return this.read();
    if (this.remembered && this.now() - this.remembered.at < this.maxAgeMs) return Promise.resolve(this.remembered.seq);
    if (this.pending) return this.pending;
    const generation = this.generation;
    const at = this.now();
    const pending = this.read().then(
      (seq) => {
        if (generation === this.generation) {
          this.remembered = { seq, at };
          this.pending = null;
        }
        return seq;
      },
      (error: unknown) => {
        if (generation === this.generation) this.pending = null;
        throw error;
      },
    );
    this.pending = pending;
    return pending;
  }

  invalidate(): void {
    this.generation++;
    this.remembered = null;
    this.pending = null;
  }
}
