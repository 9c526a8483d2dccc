export { aggregationKey, fnv1a32, STACKTRACE_HEAD_LINES } from './aggregation-key.js';
export {
  DEFAULT_MAX_AGGREGATES,
  ErrorCollector,
  errorDetailsOf,
  MAX_LATEST_OCCURRENCES,
  MAX_REPORTED_CAUSES,
  REDACTED,
} from './error-collector.js';
export type {
  ErrorCollectorOptions,
  ExportedAggregatedError,
  ExportedErrors,
  ExportedOccurrence,
  ReportedHttpContext,
  ReportOptions,
} from './error-collector.js';
