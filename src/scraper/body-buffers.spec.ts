import { BodyBuffers } from './body-buffers.js';

describe('BodyBuffers', () => {
  it('hands out a buffer given back for a body that fits it', () => {
    const buffers = new BodyBuffers(2);
    const first = buffers.take(1_000);
    expect(first.byteLength).toBeGreaterThanOrEqual(1_000);
    buffers.give(first);
    expect(buffers.take(1_000) === first).toBe(true);
  });

  it('does not hand out a buffer too small for the body', () => {
    const buffers = new BodyBuffers(2);
    const small = buffers.take(100);
    buffers.give(small);
    const large = buffers.take(small.byteLength + 1);
    expect(large === small).toBe(false);
    expect(large.byteLength).toBeGreaterThan(small.byteLength);
  });

  it('keeps at most maxKept buffers, the largest', () => {
    const buffers = new BodyBuffers(2);
    const taken = [100_000, 200_000, 300_000].map((bytes) => buffers.take(bytes));
    taken.forEach((buffer) => buffers.give(buffer));
    expect(buffers.take(1) === taken[2]).toBe(true);
    expect(buffers.take(1) === taken[1]).toBe(true);
    expect(buffers.take(1) === taken[0]).toBe(false);
  });

  it('hands out the largest it keeps for a body of unknown length (0)', () => {
    const buffers = new BodyBuffers(2);
    const [small, large] = [100_000, 300_000].map((bytes) => buffers.take(bytes));
    buffers.give(small!);
    buffers.give(large!);
    expect(buffers.take(0) === large).toBe(true);
  });

  it('keeps no buffer for a body over 4 MiB', () => {
    const buffers = new BodyBuffers(2);
    const huge = buffers.take(5 * 1024 * 1024);
    expect(huge.byteLength).toBe(5 * 1024 * 1024);
    buffers.give(huge);
    expect(buffers.take(5 * 1024 * 1024) === huge).toBe(false);
  });
});
