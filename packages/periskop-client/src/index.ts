export { aggregationKey, fnv1a32, STACKTRACE_HEAD_LINES } from './aggregation-key.js';
export {
  DEFAULT_MAX_AGGREGATES,
  ErrorCollector,
  exportErrors,
  MAX_AGGREGATION_KEY_LENGTH,
  MAX_LATEST_OCCURRENCES,
} from './collector.js';
export type { Clock, ErrorCollectorOptions, ReportOptions } from './collector.js';
export { errorDetailsOf, MAX_REPORTED_CAUSES } from './error-details.js';
export {
  httpContextOfRequest,
  MAX_REQUEST_BODY_LENGTH,
  REDACTED,
  redactedHttpContext,
  SECRET_HEADERS,
} from './http-context.js';
export type { HeaderValue, ReportedHttpContext, RequestLike } from './http-context.js';
export { errorMiddleware, errorsHandler, isNotClientError } from './http.js';
export type { ErrorMiddlewareOptions } from './http.js';
export { DEFAULT_PUSH_TIMEOUT_MS, PushError, pushToGateway } from './push.js';
export type { PushOptions, PushResult } from './push.js';
export { SEVERITIES } from './types.js';
export type {
  ErrorDetails,
  ExportedAggregatedError,
  ExportedErrors,
  ExportedOccurrence,
  HttpContext,
  Severity,
} from './types.js';
