// The security feature's public surface: the HTTP layer (auth, CORS, headers, limits) and the
// redaction applied to every snapshot before it is recorded.
export { HttpSecurity, SecurityModule } from './security.module.js';
export { REDACTED, redactPayload, redactionRulesOf, type RedactionRules } from './redact-payload.js';
