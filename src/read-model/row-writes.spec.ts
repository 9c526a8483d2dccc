import { flatRows, packBytes, RowWrites } from './row-writes.js';

describe('a write plan', () => {
  it('lists rows as columns and values in the first row’s column order', () => {
    expect(flatRows([{ id: 'a', n: 1 }, { n: 2, id: 'b' }])).toEqual({ columns: ['id', 'n'], values: ['a', 1, 'b', 2] });
  });

  it('marks the columns whose values may be UTF-8 bytes', () => {
    const plan = new RowWrites();
    plan.insertMissing('error_occurrence', [{ id: 'a', occurrence: Buffer.from('{}') }], 'id', ['occurrence']);
    plan.insertMissing('service', [{ id: 's', name: 'n' }]);
    expect(plan.writes.map((w) => (w.kind === 'insertMissing' ? w.utf8Columns : null))).toEqual([['occurrence'], undefined]);
  });

  it('packs its byte values into one buffer to transfer, each value a view of just its bytes', () => {
    const message = Buffer.from('{"x":1}{"y":22}and much more of the message');
    const plan = new RowWrites();
    plan.insertMissing('error_occurrence', [
      { id: 'a', occurrence: message.subarray(0, 7) },
      { id: 'b', occurrence: message.subarray(7, 15) },
      { id: 'c', occurrence: 'a string stays' },
    ], 'id', ['occurrence']);
    plan.deleteWhereIn('error_occurrence', 'id', ['d']);
    const [buffer, ...more] = packBytes(plan);
    expect(more).toEqual([]);
    expect(buffer!.byteLength).toBe(15);
    const write = plan.writes[0]!;
    if (write.kind !== 'insertMissing') throw new Error('expected the insert first');
    const [, first, , second, , third] = write.values;
    expect([first, second].map((v) => [(v as Uint8Array).buffer === buffer, Buffer.from(v as Uint8Array).toString()])).toEqual([
      [true, '{"x":1}'],
      [true, '{"y":22}'],
    ]);
    expect(third).toBe('a string stays');
  });

  it('moves the buffers it adopted as they are, copying only the other byte values', () => {
    const plan = new RowWrites();
    const own = new Uint8Array(6);
    own.set(Buffer.from('[1][2]'));
    plan.adopt(own.buffer);
    const message = Buffer.from('{"z":0}');
    plan.insertMissing('occurrence_page', [{ id: 'a', occurrences: own.subarray(0, 3) }, { id: 'b', occurrences: own.subarray(3) }, { id: 'c', occurrences: message }], 'id', ['occurrences']);
    const [adopted, packed, ...more] = packBytes(plan);
    expect(more).toEqual([]);
    expect(adopted).toBe(own.buffer);
    expect(packed!.byteLength).toBe(7);
    const write = plan.writes[0]!;
    if (write.kind !== 'insertMissing') throw new Error('expected the insert');
    expect(write.values.filter((v) => v instanceof Uint8Array).map((v) => (v as Uint8Array).buffer === own.buffer)).toEqual([true, true, false]);
  });

  it('has nothing to transfer without byte values', () => {
    const plan = new RowWrites();
    plan.upsert('service', [{ id: 's', name: 'n' }]);
    expect(packBytes(plan)).toEqual([]);
  });
});
