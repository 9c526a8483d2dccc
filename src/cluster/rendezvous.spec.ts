import { assignment, ownerOf } from './rendezvous.js';

const resources = Array.from({ length: 300 }, (_, i) => `service.svc-${i}`);

describe('rendezvous hashing', () => {
  it.each([
    [[], null],
    [['a'], 'a'],
  ])('with members %j the owner is %j', (members, owner) => {
    expect(ownerOf('service.x', members)).toBe(owner);
  });

  it('does not depend on the order of the member list', () => {
    for (const resource of resources) expect(ownerOf(resource, ['a', 'b', 'c'])).toBe(ownerOf(resource, ['c', 'a', 'b']));
  });

  it('spreads resources roughly evenly', () => {
    const counts = [...assignment(resources, ['r1', 'r2', 'r3']).values()].map((owned) => owned.length);
    for (const count of counts) expect(count).toBeGreaterThan(60);
  });

  it.each([
    ['a member joins', ['r1', 'r2'], ['r1', 'r2', 'r3']],
    ['a member leaves', ['r1', 'r2', 'r3'], ['r1', 'r3']],
  ])('when %s only the resources it wins or held move', (_, before, after) => {
    for (const resource of resources) {
      const was = ownerOf(resource, before)!;
      const is = ownerOf(resource, after)!;
      if (was === is) continue;
      expect(after.includes(was) ? is : was).toBe(after.includes(was) ? 'r3' : 'r2');
    }
  });
});
