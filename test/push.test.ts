import { errorsPayload } from './support/mock-target.js';
import { PeriskopUnderTest } from './support/periskop-under-test.js';
import { temporaryDir } from './support/test-event-logs.js';

// POST /push/:service/errors: what periskop clients' push-to-gateway sends.

describe('push ingestion', () => {
  let periskop: PeriskopUnderTest;
  let events: { dir: string; remove: () => Promise<void> };

  beforeAll(async () => {
    events = await temporaryDir();
    periskop = await PeriskopUnderTest.start({
      events: { type: 'embedded', path: events.dir },
      services: [{ name: 'guarded', push: { token: 's3cret' } }],
    });
  });

  afterAll(async () => {
    await periskop.stop();
    await events.remove();
  });

  async function push(service: string, body: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${periskop.baseUrl}/push/${encodeURIComponent(service)}/errors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: () => JSON.parse(text) };
  }

  const state = (total: number, uuids: string[]) =>
    errorsPayload('batch-job-1', [{ key: 'E@1', total, occurrences: uuids.map((uuid, i) => ({ uuid, timestamp: `2024-05-01T10:0${i}:00Z` })) }]);

  async function total(service: string) {
    await periskop.settled();
    return (await periskop.get(`/services/${encodeURIComponent(service)}/errors/`)).json()[0]?.total_count;
  }

  it('counts a re-pushed cumulative state once and only the growth of a larger one', async () => {
    expect((await push('batch jobs', state(2, ['a', 'b']))).status).toBe(200);
    expect(await total('batch jobs')).toBe(2);
    await push('batch jobs', state(2, ['a', 'b']));
    expect(await total('batch jobs')).toBe(2);
    await push('batch jobs', state(5, ['a', 'b', 'c']));
    expect(await total('batch jobs')).toBe(5);
    const [error] = (await periskop.get('/services/batch%20jobs/errors/')).json();
    expect(error.latest_errors.map((o: { uuid: string }) => o.uuid)).toEqual(['c', 'b', 'a']);
    expect((await periskop.get('/services/')).json()).toContain('batch jobs');
  });

  it('refuses invalid JSON with 400', async () => {
    const answer = await push('x', '{"aggregated_errors": [');
    expect(answer.status).toBe(400);
    expect(answer.json().message).toMatch(/JSON/);
  });

  it('refuses a wrong shape with 400 naming the field', async () => {
    const answer = await push('x', { target_uuid: 't', aggregated_errors: [{ aggregation_key: 'k', total_count: -1 }] });
    expect(answer.status).toBe(400);
    expect(answer.json()).toMatchObject({ field: 'aggregated_errors[0].total_count' });
  });

  it('refuses a payload without target_uuid', async () => {
    const answer = await push('x', { aggregated_errors: [] });
    expect(answer.status).toBe(400);
    expect(answer.json().field).toBe('target_uuid');
  });

  it('refuses a body over the limit with 413', async () => {
    const answer = await push('x', { target_uuid: 't', aggregated_errors: [], padding: 'x'.repeat(17 * 1024 * 1024) });
    expect(answer.status).toBe(413);
    expect(answer.json().message).toMatch(/larger than the limit/);
  });

  it('asks for the service push token when one is configured', async () => {
    expect((await push('guarded', state(1, ['a']))).status).toBe(401);
    expect((await push('guarded', state(1, ['a']), { authorization: 'Bearer wrong' })).status).toBe(403);
    expect((await push('guarded', state(1, ['a']), { authorization: 'Bearer s3cret' })).status).toBe(200);
    expect(await total('guarded')).toBe(1);
  });
});
