// The security feature's public surface: the HTTP layer (auth, CORS, headers, limits) and the
// redaction applied to every snapshot before it is recorded.
export { installHttpSecurity } from './http-security.js';
export { REDACTED, redactPayload, redactionRulesOf, type RedactionRules } from './redact-payload.js';
