/**
 * The V8 flags the server is started with: `npm start`, the Docker image's ENTRYPOINT and the
 * benchmarks' server (test/deploy-docker.test.ts checks that they agree). Launch flags: V8
 * sizes its young generation when the process starts, not when main.js runs.
 *
 * The server's heap is mostly long-lived state (per target and key: the last totals and
 * fingerprints; the errors' latest occurrences) while a scrape round turns over ~1 GB of
 * garbage at 1,000 instances. V8's defaults size the heap by that allocation rate: at 1,000
 * instances it kept 2–3 × the live heap (RSS ~550 MB once the scraper's reads no longer
 * triggered collections through external memory).
 * - `--max-semi-space-size=4` (MB; 16 by default on 64-bit): answers are parsed in slices and
 *   events encoded at once, so the young generation holds little that lives; a small one
 *   collects it as well, in 40–55 MB less RSS at 10 and at 1,000 instances.
 * - `--heap-growing-percent=25`: the old generation may grow 25 % past what the last full
 *   collection kept, instead of a factor V8 picks up to 4 × by allocation rate: ~305 MB at
 *   1,000 instances instead of ~550, for ~0.1 core more collecting and cycles of 1.7 s
 *   instead of 1.45 s (goal: 5 s). 10 % cost more CPU for no less memory; 50 % kept 50 MB more.
 * Measured in bench/README.md, "Memory, sixth pass".
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--heap-growing-percent=25'];

/**
 * The environment the server is started with, beside its flags (the same three places set it;
 * glibc reads it when the process starts). `glibc.malloc.mmap_threshold=131072` keeps glibc's
 * threshold at its 128 KiB default: every allocation of 128 KiB or more gets pages of its own,
 * returned when freed. glibc otherwise raises the threshold to the size of each such block
 * freed (up to 32 MiB), after which a scrape round's ~1 MB answers, encoded snapshots and log
 * reads came from the main heap, and freed they stayed in it: the heap grew to ~90 MB at 1,000
 * instances, 35 MB at 10; RSS 277 -> 217 MB at 1,000 instances, 185 -> 179 MB at 10
 * (bench/README.md, "Memory, eighth pass"). musl (Alpine) ignores it.
 */
export const SERVER_ENVIRONMENT: Readonly<Record<string, string>> = { GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=131072' };
