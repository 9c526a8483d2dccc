/**
 * The V8 flags the server is started with: `npm start`, the Docker image's ENTRYPOINT and the
 * benchmarks' server (test/deploy-docker.test.ts checks that they agree). They are launch
 * flags: V8 sizes its generations when the process starts, not when main.js runs.
 *
 * `--max-semi-space-size=4` (MB; V8's default on 64-bit is 16): the young generation holds a
 * scrape round's garbage (answers parsed in slices, events encoded at once) and little else,
 * so a small one collects it as often without promoting more. At 1,000 scraped instances the
 * server's RSS was 30–50 MB lower in the scrape cycles and after the first scrape, cycle time
 * and CPU unchanged; 1 or 2 MB promoted more of the first scrape and raised its peak
 * (bench/README.md, "Memory, sixth pass").
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
