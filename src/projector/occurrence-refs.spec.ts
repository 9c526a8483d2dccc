import type { LoggedOccurrence, PeriskopEvent, RecordedEvent } from '../events/events.js';
import type { AggregateState } from './aggregate-rules.js';
import type { ErrorOccurrence } from '../scraper/payload.types.js';
import { apply, emptyProjectionState } from './projection.js';
import { aggregateId } from './record-ids.js';
import { OccurrenceRef, packOccurrenceTexts, referOccurrences, resolveOccurrences, type ReadEvents } from './occurrence-refs.js';

function occurrence(uuid: string, timestamp: number): ErrorOccurrence {
  return { uuid, timestamp, severity: 'error', error: { class: 'E', message: `m ${uuid}`, stacktrace: [], cause: null }, http_context: null };
}

function scraped(seq: number, reports: [key: string, total: number, occurrences: ErrorOccurrence[]][]): RecordedEvent {
  const event: PeriskopEvent = {
    type: 'SnapshotScraped',
    version: 1,
    service: 's',
    at: seq * 1_000,
    data: {
      target: 'http://t/errors',
      target_uuid: 't',
      source: 'scrape',
      aggregated_errors: reports.map(([key, total, latest]) => ({ aggregation_key: key, total_count: total, severity: 'error', created_at: null, latest_errors: latest })),
    },
  };
  return { seq, event };
}

/** The log as a replay worker reads it back: fresh objects decoded again, every read noted. */
function logOf(recorded: RecordedEvent[]): { read: ReadEvents; reads: number[] } {
  const text = new Map(recorded.map((r) => [r.seq, JSON.stringify(r.event)]));
  const reads: number[] = [];
  const read: ReadEvents = async (seqs, onEvent) => {
    for (const seq of seqs) {
      reads.push(seq);
      const json = text.get(seq);
      if (json !== undefined) onEvent({ seq, event: JSON.parse(json) as PeriskopEvent });
    }
  };
  return { read, reads };
}

function clone(recorded: RecordedEvent[]): RecordedEvent[] {
  return structuredClone(recorded);
}

describe('occurrence references (a replay worker folds them, reads back what it hands over)', () => {
  const cases: { name: string; log: RecordedEvent[]; reads: number[] }[] = [
    { name: 'one event, one occurrence', log: [scraped(1, [['k', 1, [occurrence('a', 10)]]])], reads: [1] },
    {
      name: 'several occurrences of one event are read once',
      log: [scraped(1, [['k', 2, [occurrence('a', 10), occurrence('b', 11)]], ['l', 1, [occurrence('c', 12)]]])],
      reads: [1],
    },
    {
      name: 'a known occurrence keeps the first event that brought it',
      log: [scraped(1, [['k', 1, [occurrence('a', 10)]]]), scraped(2, [['k', 2, [occurrence('a', 10), occurrence('b', 20)]]])],
      reads: [1, 2],
    },
    {
      name: 'an event whose occurrences were all pushed out is not read',
      log: [scraped(1, [['k', 1, [occurrence('old', 1)]]]), scraped(2, [['k', 2, Array.from({ length: 100 }, (_, i) => occurrence(`n${i}`, 100 + i))]])],
      reads: [2],
    },
  ];

  it.each(cases)('$name: the same aggregates as a fold of the whole events', async ({ log, reads }) => {
    const whole = emptyProjectionState();
    for (const { event } of clone(log)) apply(whole, event);
    const referred = emptyProjectionState();
    for (const recorded of clone(log)) {
      referOccurrences(recorded);
      apply(referred, recorded.event);
    }
    expect([...referred.aggregates.values()].flatMap((a) => a.latestErrors).every((o) => (o as unknown) instanceof OccurrenceRef)).toBe(true);
    const back = logOf(log);
    const resolved = await resolveOccurrences(referred.aggregates, back.read);
    expect(resolved).toEqual(whole.aggregates);
    expect(back.reads.sort((x, y) => x - y)).toEqual(reads);
    // The worker's own state keeps its references.
    expect([...referred.aggregates.values()].flatMap((a) => a.latestErrors).every((o) => (o as unknown) instanceof OccurrenceRef)).toBe(true);
  });

  it('fails when the log no longer holds an occurrence as it was folded', async () => {
    const log = [scraped(1, [['k', 1, [occurrence('a', 10)]]])];
    const referred = emptyProjectionState();
    for (const recorded of clone(log)) {
      referOccurrences(recorded);
      apply(referred, recorded.event);
    }
    const changed = [scraped(1, [['k', 1, [occurrence('z', 10)]]])];
    await expect(resolveOccurrences(referred.aggregates, logOf(changed).read)).rejects.toThrow(/not in the log as it was folded/);
    await expect(resolveOccurrences(referred.aggregates, logOf([]).read)).rejects.toThrow(/seq 1/);
    expect(referred.aggregates.get(aggregateId('s', 'k'))).toBeDefined();
  });
});

describe('packOccurrenceTexts', () => {
  const logged = (uuid: string, message: Uint8Array, from: number, to: number): LoggedOccurrence => ({ uuid, timestamp: from, json: message.subarray(from, to), stackAt: 0, stackBytes: 0 });

  it('copies the texts the aggregates list into one buffer of just their bytes, in place, and leaves objects alone', () => {
    const message = Buffer.from('{"a":1}{"bb":2}-------- the rest of a big message --------');
    const object = occurrence('o', 1);
    const aggregate = (latestErrors: AggregateState['latestErrors']): AggregateState => ({
      service: 's', aggregationKey: 'k', severity: 'error', totalCount: 1, createdAt: 0, lastSeen: null, resolvedAt: null, resolvedCount: null, reopenedAt: null, latestErrors,
    });
    const first = aggregate([logged('a', message, 0, 7), object]);
    const second = aggregate([logged('b', message, 7, 15)]);
    const [buffer, ...more] = packOccurrenceTexts([first, second]);
    expect(more).toEqual([]);
    expect(buffer!.byteLength).toBe(15);
    const texts = [first.latestErrors[0]!, second.latestErrors[0]!].map((o) => o as LoggedOccurrence);
    expect(texts.map((o) => [o.uuid, Buffer.from(o.json).toString()])).toEqual([['a', '{"a":1}'], ['b', '{"bb":2}']]);
    expect(texts.every((o) => o.json.buffer === buffer)).toBe(true);
    expect(first.latestErrors[1]).toBe(object);
  });

  it('gives nothing to transfer when no text is listed', () => {
    expect(packOccurrenceTexts([])).toEqual([]);
  });
});
