import type { PeriskopEvent, SnapshotScraped, SnapshotScrapedV2 } from './events.js';

// SnapshotScraped as the log holds it since version 2 (events.ts): each occurrence serialised
// once, when published, beside its identity. A log written before holds version 1; both decode.

/** The event as the log holds it, as it decodes. */
export function loggedEvent(event: PeriskopEvent): PeriskopEvent {
  return event.type === 'SnapshotScraped' ? loggedSnapshot(event) : event;
}

/** The event as version 2 logs it (an event already of version 2 as it is). */
export function loggedSnapshot(event: SnapshotScraped): SnapshotScrapedV2 {
  if (event.version === 2) return event;
  const aggregated_errors = event.data.aggregated_errors.map((error) => ({
    ...error,
    latest_errors: error.latest_errors.map((occurrence) => ({ uuid: occurrence.uuid, timestamp: occurrence.timestamp, json: JSON.stringify(occurrence) })),
  }));
  return { ...event, version: 2, data: { ...event.data, aggregated_errors } };
}

/**
 * What is wrong with a version 2 event's occurrences, if anything: the projector stores each
 * one's `json` as it is and orders them by uuid and timestamp.
 */
export function loggedOccurrencesProblem(data: Record<string, unknown>): string | null {
  const errors = data['aggregated_errors'];
  if (!Array.isArray(errors)) return 'data.aggregated_errors is not a list';
  for (const [e, error] of errors.entries()) {
    const occurrences = (error as { latest_errors?: unknown } | null)?.latest_errors;
    if (!Array.isArray(occurrences)) return `data.aggregated_errors[${e}].latest_errors is not a list`;
    for (const [o, occurrence] of occurrences.entries()) {
      const { uuid, timestamp, json } = (occurrence ?? {}) as Record<string, unknown>;
      if (typeof uuid !== 'string' || typeof timestamp !== 'number' || typeof json !== 'string') {
        return `data.aggregated_errors[${e}].latest_errors[${o}] is not {uuid, timestamp, json}`;
      }
    }
  }
  return null;
}
