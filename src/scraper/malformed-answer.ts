/**
 * A target's answer that is not HTTP/1.1 as the scraper reads it. `code` follows Node's own
 * parser's (HPE_*), so a failure reads the same as it did through node:http.
 */
export class MalformedAnswer extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
