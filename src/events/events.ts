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

export type PeriskopEvent = TargetsDiscoveredV1 | SnapshotScrapedV1 | ScrapeFailedV1 | ErrorResolvedV1;
export type PeriskopEventType = PeriskopEvent['type'];

/** An event as read back from the log, with the stream sequence that orders it. */
export interface RecordedEvent {
  seq: number;
  event: PeriskopEvent;
}
