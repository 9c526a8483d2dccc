import type { PeriskopEvent, RecordedEvent } from '../../src/events/events.js';
import { loggedEvent } from '../../src/events/logged-snapshot.js';

// Events compared as text: a version 2 snapshot's occurrences are views of the log's bytes,
// which Jest would compare element by element (a 5 MB snapshot took minutes).

/** The event with each logged occurrence's text as a string. */
export function readableEvent(event: PeriskopEvent): unknown {
  if (event.type !== 'SnapshotScraped' || event.version !== 2) return event;
  const aggregated_errors = event.data.aggregated_errors.map((error) => ({
    ...error,
    latest_errors: error.latest_errors.map(({ uuid, timestamp, json }) => ({ uuid, timestamp, json: Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString('utf8') })),
  }));
  return { ...event, data: { ...event.data, aggregated_errors } };
}

export function readableRecorded({ seq, event }: RecordedEvent): { seq: number; event: unknown } {
  return { seq, event: readableEvent(event) };
}

/** What reading `event` back from the log gives, readable. */
export function readableAsRead(event: PeriskopEvent): unknown {
  return readableEvent(loggedEvent(event));
}
