import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';
import { MockTarget, errorsPayload } from './support/mock-target.js';
import { PeriskopUnderTest } from './support/periskop-under-test.js';
import { waitFor } from './support/wait-for.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const SERVICE = 'api.payments v2';
const ERRORS = `/services/${encodeURIComponent(SERVICE)}/errors/`;

const occurrences = (...uuids: string[]) => uuids.map((uuid, i) => ({ uuid, timestamp: `2026-11-23T10:00:0${i}Z` }));

/** A time after every event so far, and the clock past it, so later events are later. */
async function now(): Promise<string> {
  const at = new Date().toISOString();
  await waitFor(() => Date.now() > Date.parse(at) + 1, 1_000);
  return at;
}

function periskopCommand(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, CONFIG_FILE: '', PORT: '' }, timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/**
 * State at a past time (`?at=`) and replay from a read-model snapshot, on one event log.
 * `events` is the config's `events` section without the snapshot keys.
 */
export function describeHistory(label: string, events: () => Promise<{ section: Record<string, unknown>; cleanup: () => Promise<void> }>) {
  describe(`history on ${label}`, () => {
    let target: MockTarget;
    let periskop: PeriskopUnderTest | undefined;
    let dir: string;
    let section: Record<string, unknown>;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      target = await MockTarget.start();
      dir = await mkdtemp(join(tmpdir(), 'periskop-history-'));
      ({ section, cleanup } = await events());
    });

    afterEach(async () => {
      await periskop?.stop();
      periskop = undefined;
      await target.stop();
      await cleanup();
      await rm(dir, { recursive: true, force: true });
    });

    const config = (services: unknown[]) => ({
      repository: { type: 'sqlite', path: join(dir, 'read-model.sqlite') },
      events: { ...section, snapshot_every: 2, snapshots_kept: 2 },
      services,
    });
    const scraping = () => [{ name: SERVICE, static_configs: [{ targets: [target.address] }], scraper: { endpoint: '/errors', refresh_interval: '100ms' } }];

    async function scraped(): Promise<void> {
      const hits = target.hits;
      await waitFor(() => target.hits >= hits + 3, 10_000, 'three scrapes');
      await periskop!.settled();
    }

    /** What the API answers about everything the history can change. */
    async function answers(server: PeriskopUnderTest) {
      await server.settled();
      const sorted = (errors: { aggregation_key: string }[]) => [...errors].sort((a, b) => (a.aggregation_key < b.aggregation_key ? -1 : 1));
      return {
        services: (await server.get('/services/')).json(),
        errors: sorted((await server.get(ERRORS)).json()),
        targets: (await server.get('/targets/')).json(),
      };
    }

    it('answers as the service stood before its errors grew, before a resolve, and now; a snapshot replay equals a full one', async () => {
      const beforeAnything = new Date(Date.now() - 3_600_000).toISOString();
      target.body = errorsPayload('uuid-a', [
        { key: 'Timeout@1', total: 2, occurrences: occurrences('t1', 't2') },
        { key: 'Refused@2', total: 1, occurrences: occurrences('r1') },
      ]);
      periskop = await PeriskopUnderTest.start(config(scraping()));
      await scraped();
      const first = (await periskop.get(ERRORS)).json();
      const firstAt = await now();

      target.body = errorsPayload('uuid-a', [
        { key: 'Timeout@1', total: 5, occurrences: occurrences('t1', 't2', 't3') },
        { key: 'Refused@2', total: 1, occurrences: occurrences('r1') },
      ]);
      await scraped();
      const grown = (await periskop.get(ERRORS)).json();
      expect(grown).not.toEqual(first);
      const grownAt = await now();

      expect(await periskop.delete(`${ERRORS}Refused@2/`)).toBe(204);
      await periskop.settled();
      const resolved = (await periskop.get(ERRORS)).json();
      expect(resolved.map((e: { aggregation_key: string }) => e.aggregation_key)).toEqual(['Timeout@1']);
      const resolvedAt = await now();
      await waitFor(async () => (await periskop!.get('/-/snapshots')).json().length > 0, 10_000, 'a snapshot');
      // snapshots_kept: 2, newest last.
      const kept = (await periskop.get('/-/snapshots')).json() as { seq: number; at: string; bytes: number }[];
      expect(kept.length).toBeLessThanOrEqual(2);
      expect(kept.map((s) => s.seq)).toEqual([...kept.map((s) => s.seq)].sort((a, b) => a - b));
      expect(kept.every((s) => s.bytes > 0 && !Number.isNaN(Date.parse(s.at)))).toBe(true);

      const at = (time: string) => periskop!.get(`${ERRORS}?at=${encodeURIComponent(time)}`);
      const path = async (time: string) => {
        const response = await fetch(`${periskop!.baseUrl}${ERRORS}?at=${encodeURIComponent(time)}`);
        await response.arrayBuffer();
        return { snapshotSeq: Number(response.headers.get('periskop-snapshot-seq')), folded: Number(response.headers.get('periskop-events-folded')) };
      };
      // Now is answered from a snapshot (taken every 2 events), before anything from the log's start.
      expect((await path(resolvedAt)).snapshotSeq).toBeGreaterThan(0);
      expect(await path(beforeAnything)).toEqual({ snapshotSeq: 0, folded: 0 });
      expect((await at(firstAt)).json()).toEqual(first);
      expect((await at(grownAt)).json()).toEqual(grown);
      expect((await at(resolvedAt)).json()).toEqual(resolved);
      // The same bytes as the live answer, Go's trailing newline included.
      expect((await at(resolvedAt)).body).toBe((await periskop.get(ERRORS)).body);

      // The UI's page of errors at that time: the same errors, resolved ones included with status=all.
      const uiPage = async (time: string, status: string) =>
        (await periskop!.get(`/api/services/${encodeURIComponent(SERVICE)}/errors?status=${status}&at=${encodeURIComponent(time)}`)).json();
      const keysAndTotals = (errors: { aggregation_key: string; total_count: number }[]) =>
        errors.map((e) => `${e.aggregation_key} ${e.total_count}`).sort();
      expect(keysAndTotals((await uiPage(firstAt, 'open')).items)).toEqual(keysAndTotals(first));
      expect(keysAndTotals((await uiPage(resolvedAt, 'resolved')).items)).toEqual(['Refused@2 1']);
      expect((await periskop.get(`/api/services/${encodeURIComponent(SERVICE)}/errors?at=soon`)).status).toBe(400);

      const unknown = await at(beforeAnything);
      expect(unknown).toMatchObject({ status: 404, body: `service ${SERVICE} not found\n` });
      const bad = await at('yesterday');
      expect(bad.status).toBe(400);
      expect(bad.body).toBe('at: "yesterday" is not an RFC 3339 time (e.g. "2026-11-23T22:00:00Z")\n');
      expect((await periskop.get(`/services/nobody/errors/?at=${encodeURIComponent(resolvedAt)}`)).status).toBe(404);

      const live = await answers(periskop);
      await periskop.stop();
      periskop = undefined;

      // Rebuild the read model both ways; a server without services answers from it unchanged.
      const file = join(dir, 'replay.yaml');
      await writeFile(file, dump(config([])));
      const fromSnapshot = periskopCommand(['replay', '--from-snapshot', '--config', file]);
      expect(fromSnapshot).toMatchObject({ code: 0 });
      expect(fromSnapshot.stdout).toMatch(/after the snapshot at sequence \d+ through sequence \d+/);
      periskop = await PeriskopUnderTest.start(config([]));
      const afterSnapshotReplay = await answers(periskop);
      await periskop.stop();

      expect(periskopCommand(['replay', '--config', file])).toMatchObject({ code: 0 });
      periskop = await PeriskopUnderTest.start(config([]));
      const afterFullReplay = await answers(periskop);

      expect(afterSnapshotReplay).toEqual(afterFullReplay);
      expect(afterFullReplay).toEqual(live);
    });
  });
}
