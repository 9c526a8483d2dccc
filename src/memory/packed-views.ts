/**
 * Copies byte views into one new buffer, back to back, and returns views of it in the same
 * order: what a thread is sent instead of the views themselves, which a structured clone would
 * copy whole with the buffer each one is a view of (a log message, or a batch of them).
 */
export function packViews(views: readonly Uint8Array[]): Uint8Array[] {
  let total = 0;
  for (const view of views) total += view.byteLength;
  const packed = new Uint8Array(total);
  let offset = 0;
  return views.map((view) => {
    packed.set(view, offset);
    const copy = new Uint8Array(packed.buffer, offset, view.byteLength);
    offset += view.byteLength;
    return copy;
  });
}
