/**
 * The event log no longer holds the messages an answer needs: retention (max_age,
 * max_bytes) dropped them, and no snapshot kept covers them (docs/history.md).
 */
export class HistoryGone extends Error {
  override readonly name = 'HistoryGone';
}

/** Throws HistoryGone unless the log still holds every message after `fromSeq`. */
/** `what` names the answer in the message (built only when it is thrown). */
export function assertLogHoldsAfter(fromSeq: number, oldest: number, what: () => string): void {
  if (oldest > fromSeq + 1) {
    throw new HistoryGone(
      `${what()} needs the event log from sequence ${fromSeq + 1}, but it starts at ${oldest} now (retention dropped the older messages` +
        `${fromSeq > 0 ? '' : ' and no snapshot kept is old enough'})`,
    );
  }
}
