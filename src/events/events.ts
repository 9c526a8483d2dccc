import type { AggregatedErrorPayload } from '../scraper/payload.types.js';

// Every fact Periskop records. Past tense, versioned; proto/events.proto documents them.
// A new meaning gets a new type (or a new version), never a reused one.

export interface DiscoveredTarget {
  /** host:port as discovered (Prometheus __address__ after relabeling). */
  address: string;
  /** Full URL the scraper fetches. */
  url: string;
  labels: Record<string, string>;
}

export interface TargetsDiscoveredV1 {
  type: 'TargetsDiscovered';
  version: 1;
  service: string;
  /** Epoch milliseconds. */
  at: number;
  data: { targets: DiscoveredTarget[] };
}

export interface SnapshotScrapedV1 {
  type: 'SnapshotScraped';
  version: 1;
  service: string;
  at: number;
  data: {
    target: string;
    target_uuid: string;
    source: 'scrape' | 'push';
    /** Only the keys whose total changed since this process last published the target. */
    aggregated_errors: AggregatedErrorPayload[];
  };
}

/**
 * An occurrence of a SnapshotScraped version 2 event as decoded: its identity, and itself as
 * the JSON text version 1 would carry (snake_case, times as epoch ms), in UTF-8 bytes: a view
 * into the log message, never decoded into a string by the projector.
 */
export interface LoggedOccurrence {
  uuid: string;
  timestamp: number;
  json: Uint8Array;
  /**
   * Where in `json` its error's stack trace is: the bytes from `stackAt`, `stackBytes` long,
   * are the JSON array of `error.stacktrace` (0 bytes: not known). The read model stores a
   * stack trace once per page, however many of the page's occurrences share it.
   */
  stackAt: number;
  stackBytes: number;
}

export type LoggedAggregatedError = Omit<AggregatedErrorPayload, 'latest_errors'> & { latest_errors: LoggedOccurrence[] };

/**
 * SnapshotScraped as the log holds it since version 2: version 1's payload with each
 * occurrence's JSON text moved out of the envelope into bytes after it (logged-snapshot.ts has
 * the layout). The projector folds occurrences by uuid and timestamp and stores their bytes as
 * they are: version 1 had it parse ~2.5 KB of stack trace per occurrence into objects (and
 * serialise them again), a text inside the JSON would still be unescaped into a string.
 * Publishers build version 1 (EventStore.encode logs it as version 2); older logs hold version 1.
 */
export interface SnapshotScrapedV2 {
  type: 'SnapshotScraped';
  version: 2;
  service: string;
  at: number;
  data: Omit<SnapshotScrapedV1['data'], 'aggregated_errors'> & { aggregated_errors: LoggedAggregatedError[] };
}

/** SnapshotScraped as decoded from the log: either version. */
export type SnapshotScraped = SnapshotScrapedV1 | SnapshotScrapedV2;

/** One key's report in a SnapshotScraped event of either version. */
export type ReportedError = SnapshotScraped['data']['aggregated_errors'][number];

export type ScrapeFailureReason =
  | 'timeout'
  | 'refused'
  | 'connect'
  | 'http_status'
  | 'invalid_json'
  | 'invalid_shape'
  | 'too_large';

export interface ScrapeFailedV1 {
  type: 'ScrapeFailed';
  version: 1;
  service: string;
  at: number;
  data: { target: string; reason: ScrapeFailureReason; detail: string };
}

export interface ErrorResolvedV1 {
  type: 'ErrorResolved';
  version: 1;
  service: string;
  at: number;
  data: { aggregation_key: string };
}

export type PeriskopEvent = TargetsDiscoveredV1 | SnapshotScrapedV1 | SnapshotScrapedV2 | ScrapeFailedV1 | ErrorResolvedV1;
export type PeriskopEventType = PeriskopEvent['type'];

/** An event as read back from the log, with the stream sequence that orders it. */
export interface RecordedEvent {
  seq: number;
  event: PeriskopEvent;
}
