import { inspectBody, unpackableRecord, type KnownBody, type UnpackableRecord } from './inspect-body.js';

function body(targetUuid: string | null, total: number): Buffer {
  const occurrence = { uuid: `u${total}`, timestamp: 1, error: { class: 'E', message: '', stacktrace: [], cause: null } };
  return Buffer.from(JSON.stringify({ ...(targetUuid && { target_uuid: targetUuid }), aggregated_errors: [{ aggregation_key: 'k', total_count: total, latest_errors: [occurrence] }] }));
}

/** The uuids inspectBody read of key k (none when it took the recorded total as unchanged). */
function readOccurrences(bytes: Buffer, known: KnownBody): string[] {
  const outcome = inspectBody(bytes, known);
  if (!outcome.ok || !outcome.payload) throw new Error(`unexpected ${JSON.stringify(outcome)}`);
  return outcome.payload.aggregated_errors[0]!.latest_errors.map((o) => o.uuid);
}

describe('inspectBody', () => {
  const recorded = (targetUuid: string): UnpackableRecord => unpackableRecord({ targetUuid, totals: new Map([['k', 1]]), segments: new Map(), seen: new Map() });

  it.each([
    ['uses the record of the same target_uuid', body('t', 1), { recorded: recorded('t') }, []],
    ['ignores the record of another target_uuid (the instance restarted)', body('t2', 1), { recorded: recorded('t') }, ['u1']],
    ['knows a target without target_uuid by its fallback (its url)', body(null, 1), { recorded: recorded('http://x'), fallbackTargetUuid: 'http://x' }, []],
    ['reads everything without a record', body('t', 1), {}, ['u1']],
    ['reads a key whose total changed', body('t', 2), { recorded: recorded('t') }, ['u2']],
  ])('%s', (_case, bytes, known: KnownBody, uuids) => {
    expect(readOccurrences(bytes, known)).toEqual(uuids);
  });

  it('gives no payload for the very bytes of the known digest, and the same digest for the same bytes', () => {
    const first = inspectBody(body('t', 1), {});
    if (!first.ok) throw new Error(first.detail);
    expect(inspectBody(body('t', 1), { digest: first.digest })).toEqual({ ok: true, payload: null, bytes: first.bytes, digest: first.digest, segments: null });
    expect(inspectBody(body('t', 2), { digest: first.digest })).toMatchObject({ ok: true, payload: { target_uuid: 't' } });
  });

  it.each([
    ['JSON.parse\'s message for a body that is not JSON', '{"aggregated_errors":[{"aggregation_key":"k","total_count":1,}]}', 'invalid_json', /JSON/],
    ['the path of a field of the wrong shape', '{"aggregated_errors":[{"aggregation_key":"k","total_count":"many"}]}', 'invalid_shape', /^aggregated_errors\[0\]\.total_count: /],
  ])('reports %s', (_case, text, reason, detail) => {
    const outcome = inspectBody(Buffer.from(text), {});
    expect(outcome).toMatchObject({ ok: false, reason });
    expect(outcome.ok ? '' : outcome.detail).toMatch(detail);
  });

  it('gives the message JSON.parse gives for the whole body when a split element is not JSON', () => {
    const text = '{"aggregated_errors":[{"aggregation_key":"k","total_count":1,}]}';
    let message = '';
    try {
      JSON.parse(text);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(inspectBody(Buffer.from(text), {})).toEqual({ ok: false, reason: 'invalid_json', detail: message });
  });

  it('reads a body whose elements hold objects of their own shape as JSON.parse reads it', () => {
    const element = (key: string, total: number, nested = '') => `{"aggregation_key":"${key}","total_count":${total},"latest_errors":[${nested}]}`;
    const text = `{"target_uuid":"t","aggregated_errors":[${element('a', 1, `{"uuid":"u","timestamp":1,"error":{"class":"E","message":"","stacktrace":[],"cause":null},"http_context":{"request_headers":{}},"x":[{},${element('x', 9)}]}`)},${element('b', 2)}],"after":[{},${element('y', 1)}]}`;
    const outcome = inspectBody(Buffer.from(text), {});
    if (!outcome.ok || !outcome.payload) throw new Error(`unexpected ${JSON.stringify(outcome)}`);
    expect(outcome.payload.aggregated_errors.map((e) => [e.aggregation_key, e.total_count, e.latest_errors.length])).toEqual([
      ['a', 1, 1],
      ['b', 2, 0],
    ]);
  });
});
