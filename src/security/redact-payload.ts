import type { PeriskopConfig } from '../config/config.types.js';
import { httpSecurityOf } from '../config/security-config.js';
import type { AggregatedErrorPayload, ErrorOccurrence, ScrapedPayload } from '../scraper/payload.types.js';

/** What a secret header's value becomes: fixed, so nothing about the secret (not even its length) is kept. */
export const REDACTED = '[REDACTED]';

export interface RedactionRules {
  /** Lower-case header names. */
  headers: readonly string[];
  /** Drop every occurrence's http_context.request_body. */
  dropRequestBodies: boolean;
}

/**
 * The payload as it may be recorded: values of secret request headers (names compared
 * case-insensitively) replaced by REDACTED, request bodies dropped when the service asks.
 * Runs before anything is published, so secrets never reach the event log or the read model.
 * Occurrences that need no change are kept as they are (no copy).
 */
export function redactPayload(payload: ScrapedPayload, rules: RedactionRules): ScrapedPayload {
  if (rules.headers.length === 0 && !rules.dropRequestBodies) return payload;
  const secret = new Set(rules.headers);
  return { ...payload, aggregated_errors: payload.aggregated_errors.map((error) => redactError(error, secret, rules.dropRequestBodies)) };
}

function redactError(error: AggregatedErrorPayload, secret: ReadonlySet<string>, dropBodies: boolean): AggregatedErrorPayload {
  return { ...error, latest_errors: error.latest_errors.map((occurrence) => redactOccurrence(occurrence, secret, dropBodies)) };
}

function redactOccurrence(occurrence: ErrorOccurrence, secret: ReadonlySet<string>, dropBodies: boolean): ErrorOccurrence {
  const context = occurrence.http_context;
  if (!context) return occurrence;
  const names = Object.keys(context.request_headers);
  const hasSecret = names.some((name) => secret.has(name.toLowerCase()) && context.request_headers[name] !== REDACTED);
  const dropBody = dropBodies && context.request_body !== null;
  if (!hasSecret && !dropBody) return occurrence;
  const request_headers = Object.fromEntries(names.map((name) => [name, secret.has(name.toLowerCase()) ? REDACTED : context.request_headers[name]!]));
  return { ...occurrence, http_context: { ...context, request_headers, request_body: dropBody ? null : context.request_body } };
}

/** The rules for one service: the server's header list, the service's body choice. */
export function redactionRulesOf(config: PeriskopConfig, service: string): RedactionRules {
  return {
    headers: httpSecurityOf(config.server).redactHeaders,
    dropRequestBodies: config.services.find((s) => s.name === service)?.dropRequestBodies === true,
  };
}
