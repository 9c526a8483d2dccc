import { atFromUrl, atToPicker, pickerToAt } from './point-in-time';

describe('point in time', () => {
  it.each([
    ['2026-11-23T22:05', '2026-11-23T22:05:00Z'],
    ['2026-11-23T22:05:07', '2026-11-23T22:05:07Z'],
    ['2026-11-23T22:05:07.250', '2026-11-23T22:05:07.250Z'],
    ['', null],
    ['yesterday', null],
    ['2026-11-23', null],
  ])('the picker value %j asks for %j', (value, at) => {
    expect(pickerToAt(value)).toBe(at);
  });

  it.each([
    [null, ''],
    ['2026-11-23T22:05:07Z', '2026-11-23T22:05:07'],
    ['2026-11-23T23:05:07+01:00', '2026-11-23T22:05:07'],
  ])('%j shows as %j in the picker', (at, value) => {
    expect(atToPicker(at)).toBe(value);
  });

  it.each([
    [undefined, null],
    ['', null],
    ['2026-11-23T22:05:07Z', '2026-11-23T22:05:07Z'],
    ['2026-11-23T23:05:07+01:00', '2026-11-23T22:05:07Z'],
    ['2026-11-23', null],
    ['garbage', null],
  ])('the URL parameter %j is %j', (value, at) => {
    expect(atFromUrl(value)).toBe(at);
  });
});
