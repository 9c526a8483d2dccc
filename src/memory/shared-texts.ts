/**
 * One string per distinct text, for texts every target repeats (aggregation keys, severities):
 * a thousand targets reporting the same fifty keys hold fifty strings, not fifty thousand.
 */
export class SharedTexts {
  private readonly texts = new Map<string, string>();

  constructor(private readonly max = 100_000) {}

  /** How many texts are held. */
  get size(): number {
    return this.texts.size;
  }

  /**
   * The string kept for `text`. The first of each text is copied into a string of its own: a
   * slice of a larger string (a digest, a body) would keep all of it alive.
   */
  of(text: string): string {
    let shared = this.texts.get(text);
    if (shared === undefined) {
      // Past any realistic number of keys the texts stop being shared rather than grow without bound.
      if (this.texts.size >= this.max) this.texts.clear();
      // Through JSON, not UTF-8 bytes: a lone surrogate comes back as itself.
      shared = JSON.parse(JSON.stringify(text)) as string;
      this.texts.set(shared, shared);
    }
    return shared;
  }
}
