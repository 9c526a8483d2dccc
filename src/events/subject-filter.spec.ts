import { serviceSubjectFilter, subjectMatches, tailAfterFirstToken } from './subject-filter.js';

describe('subject filters', () => {
  it.each([
    ['*.svc', 'SnapshotScraped.svc', true],
    ['*.svc', 'chunk.svc', true],
    ['*.svc', 'SnapshotScraped.svc2', false],
    ['*.svc', 'a.b.svc', false],
    ['*.svc', 'svc', false],
    ['a.>', 'a.b.c', true],
    ['a.>', 'a', false],
    ['a.b', 'a.b', true],
    ['a.*', 'a.b.c', false],
  ])('%s matches %s: %s', (filter, subject, expected) => {
    expect(subjectMatches(filter, subject)).toBe(expected);
  });

  it.each([
    ['*.svc', 'svc'],
    ['*.a.b', 'a.b'],
    ['*.*', null],
    ['*.a.>', null],
    ['a.svc', null],
  ])('the tail after the first token of %s is %s', (filter, tail) => {
    expect(tailAfterFirstToken(filter)).toBe(tail);
  });

  it('names one service, escaped as on the wire', () => {
    expect(serviceSubjectFilter('api.payments v2')).toBe('*.api_2Epayments_20v2');
    expect(subjectMatches(serviceSubjectFilter('a.b'), 'ErrorResolved.a_2Eb')).toBe(true);
  });

  it('puts the service\'s partition first when the stream is partitioned', () => {
    const filter = serviceSubjectFilter('checkout', 4);
    expect(filter).toMatch(/^p[0-3]\.\*\.checkout$/);
    expect(subjectMatches(filter, `${filter.split('.')[0]}.SnapshotScraped.checkout`)).toBe(true);
    expect(subjectMatches(filter, 'SnapshotScraped.checkout')).toBe(false);
  });
});
