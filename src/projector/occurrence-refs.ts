import type { RecordedEvent } from '../events/events.js';
import { isLogged } from '../events/logged-snapshot.js';
import { packViews } from '../memory/packed-views.js';
import type { ErrorOccurrence } from '../scraper/payload.types.js';
import type { AggregateState, FoldedOccurrence } from './aggregate-rules.js';

// A replay worker (replay-worker.ts) folds its events with each occurrence replaced by a
// reference to where the log holds it, and reads back only the occurrences its aggregates
// still list when it hands them over. The fold looks at an occurrence's uuid and timestamp
// only; the rest of it (~2.5 KB of JSON: a stack trace, an HTTP context) was kept alive until
// a hundred newer ones pushed it out — about every occurrence survived two young-generation
// collections and died in the old one, most of a worker's garbage collection time. Over a
// whole replay only the last hundred of each error are ever written.

/** Stands in for an occurrence: its identity, and where it is in the log. */
export class OccurrenceRef implements Pick<ErrorOccurrence, 'uuid' | 'timestamp'> {
  constructor(
    readonly uuid: string,
    readonly timestamp: number,
    /** The log sequence of the event that brought it. */
    readonly seq: number,
    /** Its place in that event: aggregated_errors[report].latest_errors[index]. */
    readonly report: number,
    readonly index: number,
  ) {}
}

/**
 * Replaces each occurrence of a SnapshotScraped event by a reference (in place: the event is
 * folded and dropped). The fold treats it as the occurrence (apply reads uuid and timestamp).
 */
export function referOccurrences({ seq, event }: RecordedEvent): void {
  if (event.type !== 'SnapshotScraped') return;
  const reports = event.data.aggregated_errors;
  for (let report = 0; report < reports.length; report++) {
    const occurrences = reports[report]!.latest_errors;
    for (let index = 0; index < occurrences.length; index++) {
      const { uuid, timestamp } = occurrences[index]!;
      occurrences[index] = new OccurrenceRef(uuid, timestamp, seq, report, index) as unknown as ErrorOccurrence;
    }
  }
}

function isRef(occurrence: FoldedOccurrence): occurrence is FoldedOccurrence & OccurrenceRef {
  return (occurrence as unknown) instanceof OccurrenceRef;
}

/** Reads back the events at these sequences (in any order, each once), e.g. from the log. */
export type ReadEvents = (seqs: number[], onEvent: (recorded: RecordedEvent) => void) => Promise<void>;

/**
 * Copies of `aggregates` whose occurrences are the ones the references point to, read back
 * with `read` (every event once, however many of its occurrences are listed); the aggregates
 * given are left as they are.
 */
export async function resolveOccurrences(aggregates: ReadonlyMap<string, AggregateState>, read: ReadEvents): Promise<Map<string, AggregateState>> {
  const wanted = new Map<number, Map<string, FoldedOccurrence | null>>();
  for (const aggregate of aggregates.values()) {
    for (const occurrence of aggregate.latestErrors) {
      if (!isRef(occurrence)) continue;
      let places = wanted.get(occurrence.seq);
      if (!places) wanted.set(occurrence.seq, (places = new Map()));
      places.set(placeOf(occurrence.report, occurrence.index), null);
    }
  }
  await read([...wanted.keys()], ({ seq, event }) => {
    const places = wanted.get(seq);
    if (!places || event.type !== 'SnapshotScraped') return;
    for (const place of places.keys()) {
      const [report, index] = place.split(':').map(Number) as [number, number];
      const occurrence = event.data.aggregated_errors[report]?.latest_errors[index];
      if (occurrence) places.set(place, occurrence);
    }
  });
  const resolved = new Map<string, AggregateState>();
  for (const [id, aggregate] of aggregates) {
    const latestErrors = aggregate.latestErrors.map((occurrence) => {
      if (!isRef(occurrence)) return occurrence;
      const found = wanted.get(occurrence.seq)!.get(placeOf(occurrence.report, occurrence.index));
      if (!found || found.uuid !== occurrence.uuid || found.timestamp !== occurrence.timestamp) {
        throw new Error(`occurrence ${occurrence.uuid} of the event at seq ${occurrence.seq} is not in the log as it was folded`);
      }
      return found;
    });
    resolved.set(id, { ...aggregate, latestErrors });
  }
  return resolved;
}

function placeOf(report: number, index: number): string {
  return `${report}:${index}`;
}

/**
 * Copies the texts of the logged occurrences the aggregates list into one buffer, and lists
 * instead occurrences whose text is a view of it (in place); returns the buffer, to transfer
 * with the aggregates to another thread. A text read back is a view into its log message (a
 * reassembled snapshot: megabytes), which a structured clone would copy whole for every view.
 */
export function packOccurrenceTexts(aggregates: Iterable<AggregateState>): ArrayBuffer[] {
  const lists = [...aggregates];
  const texts = packViews(lists.flatMap((aggregate) => aggregate.latestErrors.filter(isLogged).map((occurrence) => occurrence.json)));
  if (texts.length === 0) return [];
  let next = 0;
  for (const aggregate of lists) {
    aggregate.latestErrors = aggregate.latestErrors.map((occurrence) =>
      isLogged(occurrence) ? { uuid: occurrence.uuid, timestamp: occurrence.timestamp, json: texts[next++]!, stackAt: occurrence.stackAt, stackBytes: occurrence.stackBytes } : occurrence,
    );
  }
  return [texts[0]!.buffer as ArrayBuffer];
}
