// A demo service for the compose stack: an HTTP "shop" that fails now and then, its exceptions
// collected by @periskop/client and exposed on GET /errors for Periskop to scrape.
//   PORT (7777)           where it listens
//   FAILURE_INTERVAL (2s) how often it simulates a request, a duration in ms or with s/m
import { createServer } from 'node:http';
import { ErrorCollector, errorsHandler } from '@periskop/client';

const port = Number(process.env.PORT ?? 7777);
const intervalMs = parseInterval(process.env.FAILURE_INTERVAL ?? '2s');
const collector = new ErrorCollector();

class PaymentDeclinedError extends Error {}
class InventoryTimeoutError extends Error {}

// A few failure kinds with different frequencies and severities, so the UI has something to sort.
const FAILURES = [
  { weight: 6, severity: 'error', fail: () => JSON.parse('{"order":') },
  { weight: 3, severity: 'error', fail: () => { throw new PaymentDeclinedError('card declined by issuer'); } },
  { weight: 2, severity: 'warning', fail: () => { throw new InventoryTimeoutError('inventory lookup took more than 2s', { cause: new Error('connect ETIMEDOUT 10.0.0.7:5432') }); } },
  { weight: 1, severity: 'info', fail: () => undefined.customer.email },
];
const TOTAL_WEIGHT = FAILURES.reduce((sum, failure) => sum + failure.weight, 0);

function simulateRequest() {
  let pick = Math.random() * TOTAL_WEIGHT;
  const failure = FAILURES.find((candidate) => (pick -= candidate.weight) < 0) ?? FAILURES[0];
  try {
    failure.fail();
  } catch (error) {
    collector.report(error, {
      severity: failure.severity,
      httpContext: { method: 'POST', url: `http://demo-service:${port}/checkout`, headers: { 'content-type': 'application/json' }, body: '{"order":' },
    });
  }
}

function parseInterval(text) {
  const match = /^(\d+)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new Error(`FAILURE_INTERVAL: ${JSON.stringify(text)} is not a duration (e.g. 500ms, 2s, 1m)`);
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] ?? 'ms'];
}

const errors = errorsHandler(collector);
const server = createServer((request, response) => {
  if (request.url === '/errors') return errors(request, response);
  if (request.url === '/health') return response.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
  response.writeHead(404, { 'content-type': 'text/plain' }).end('routes: GET /errors, GET /health\n');
});
const timer = setInterval(simulateRequest, intervalMs);
server.listen(port, () => process.stdout.write(`demo-service listening on http://localhost:${server.address().port}, failing every ${intervalMs} ms\n`));

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    clearInterval(timer);
    server.close(() => process.exit(0));
  });
}
