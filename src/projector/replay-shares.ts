// Which worker of a parallel replay folds which service. Every event of a service must go to
// the same worker (the fold of one service depends on its earlier events, never on another
// service's), and the workers should get about as many events each: with two workers on two
// cores, a 60/40 split leaves a fifth of the machine idle.

/**
 * Services by message count, most first, each to the worker with the fewest messages so far;
 * ties broken by token, so the same log always gives the same assignment.
 */
export function assignServiceShares(messagesByToken: ReadonlyMap<string, number>, workers: number): Map<string, number> {
  const load = Array.from({ length: workers }, () => 0);
  const byCount = [...messagesByToken].sort(([ta, a], [tb, b]) => b - a || (ta < tb ? -1 : ta > tb ? 1 : 0));
  const shares = new Map<string, number>();
  for (const [token, messages] of byCount) {
    let lightest = 0;
    for (let w = 1; w < workers; w++) if (load[w]! < load[lightest]!) lightest = w;
    shares.set(token, lightest);
    load[lightest]! += messages;
  }
  return shares;
}

/** The service tokens of one worker. */
export function sharesOf(shares: ReadonlyMap<string, number>, worker: number): string[] {
  return [...shares].filter(([, w]) => w === worker).map(([token]) => token);
}

/** Message counts by subject tail (EmbeddedEventLog.messagesBySubjectTail) summed by service token. */
export function messagesByServiceToken(byTail: ReadonlyMap<string, number>): Map<string, number> {
  const byToken = new Map<string, number>();
  for (const [tail, messages] of byTail) {
    const token = tail.slice(tail.lastIndexOf('.') + 1);
    byToken.set(token, (byToken.get(token) ?? 0) + messages);
  }
  return byToken;
}
