import { spreadHash } from '../events/partition.js';

// Rendezvous (highest-random-weight) hashing: every replica computes the same owner for a
// resource from the same member list, and a member joining or leaving moves only the
// resources it wins or held.

/** The member with the highest weight for `resource`; null when there are no members. */
export function ownerOf(resource: string, members: readonly string[]): string | null {
  let best: string | null = null;
  let bestWeight = -1;
  for (const member of members) {
    const weight = spreadHash(`${member}\u0000${resource}`);
    // Ties (practically never) go to the smaller name, so every replica agrees.
    if (weight > bestWeight || (weight === bestWeight && best !== null && member < best)) {
      best = member;
      bestWeight = weight;
    }
  }
  return best;
}

/** Which resources each member owns. */
export function assignment(resources: readonly string[], members: readonly string[]): Map<string, string[]> {
  const owned = new Map<string, string[]>(members.map((m) => [m, []]));
  for (const resource of resources) {
    const owner = ownerOf(resource, members);
    if (owner !== null) owned.get(owner)!.push(resource);
  }
  return owned;
}
