import { BodyBuffers } from './body-buffers.js';

describe('BodyBuffers', () => {
  it('hands out a buffer given back for a body that fits it', () => {
    const buffers = new BodyBuffers(2);
    const first = buffers.take(1_000);
    expect(first.byteLength).toBeGreaterThanOrEqual(1_000);
    buffers.give(first);
    expect(buffers.take(1_000)).toBe(first);
  });

  it('does not hand out a buffer too small for the body', () => {
    const buffers = new BodyBuffers(2);
    const small = buffers.take(100);
    buffers.give(small);
    const large = buffers.take(small.byteLength + 1);
    expect(large).not.toBe(small);
    expect(large.byteLength).toBeGreaterThan(small.byteLength);
  });

  it('keeps at most maxKept buffers, the largest', () => {
    const buffers = new BodyBuffers(2);
    const taken = [100, 200, 300].map((bytes) => buffers.take(bytes));
    taken.forEach((buffer) => buffers.give(buffer));
    expect(buffers.take(1)).toBe(taken[2]);
    expect(buffers.take(1)).toBe(taken[1]);
    expect(buffers.take(1)).not.toBe(taken[0]);
  });

  it('keeps no buffer for a body over 4 MiB', () => {
    const buffers = new BodyBuffers(2);
    const huge = buffers.take(5 * 1024 * 1024);
    expect(huge.byteLength).toBe(5 * 1024 * 1024);
    buffers.give(huge);
    expect(buffers.take(5 * 1024 * 1024)).not.toBe(huge);
  });
});
