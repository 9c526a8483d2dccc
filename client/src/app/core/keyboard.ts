/** True when a key press belongs to a text field (or carries a modifier) and is not a shortcut. */
export function isTypingOrModified(event: KeyboardEvent): boolean {
  if (event.ctrlKey || event.metaKey || event.altKey) return true;
  const target = event.target as HTMLElement | null;
  if (!target || typeof target.closest !== 'function') return false;
  return !!target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]');
}

export function scrollIntoViewIfNeeded(element: Element | null): void {
  const el = element as (Element & { scrollIntoView?: (options?: ScrollIntoViewOptions) => void }) | null;
  el?.scrollIntoView?.({ block: 'nearest' });
}

/** Enter on a focused link or button belongs to that control. */
export function isOnControl(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  return !!target && typeof target.closest === 'function' && !!target.closest('a, button');
}
