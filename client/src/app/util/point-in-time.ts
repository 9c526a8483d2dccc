// The service page's time picker: a `datetime-local` input read as UTC (what the page shows
// elsewhere too), and the `at` query parameter (RFC 3339, UTC) the server answers for.

const PICKER = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2}(\.\d+)?)?$/;

/** `at` for a picker value ("2026-11-23T22:00" or with seconds), or null for an empty or bad one. */
export function pickerToAt(value: string): string | null {
  const match = PICKER.exec(value.trim());
  if (!match) return null;
  const date = new Date(`${match[1]}${match[2] ?? ':00'}Z`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString().replace(/\.000Z$/, 'Z');
}

/** The picker's value for an `at` ("" when live). */
export function atToPicker(at: string | null): string {
  if (!at) return '';
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString().slice(0, 19);
}

/** A valid `at` from the URL, normalized to UTC; null (live) for anything else. */
export function atFromUrl(value: string | undefined): string | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString().replace(/\.000Z$/, 'Z');
}
