// Stream partitions: with P > 1 every subject of a service starts with its partition token
// (`p<k>.<type>.<service-token>`, k = spreadHash(service) mod P), so one durable consumer per
// partition can filter on `p<k>.>` (a single filter subject, which NATS 2.9 supports). With
// P = 1 subjects stay exactly as they always were.

const PARTITION_TOKEN = /^p(\d+)\./;

/** FNV-1a over the UTF-8 bytes: stable across processes, versions and platforms. */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** stableHash with Murmur3's finalizer: FNV-1a alone spreads short, similar names poorly. */
export function spreadHash(text: string): number {
  let h = stableHash(text);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function partitionOf(service: string, partitions: number): number {
  return partitions <= 1 ? 0 : spreadHash(service) % partitions;
}

/** What a service's subjects start with: '' with one partition, `p<k>.` otherwise. */
export function partitionSubjectPrefix(service: string, partitions: number): string {
  return partitions <= 1 ? '' : `p${partitionOf(service, partitions)}.`;
}

/** The relative filter subject of partition k's consumer; undefined (everything) with one partition. */
export function partitionFilter(k: number, partitions: number): string | undefined {
  return partitions <= 1 ? undefined : `p${k}.>`;
}

/** A relative subject without its partition token. Event types never look like `p<digits>`. */
export function withoutPartition(subject: string): string {
  return subject.replace(PARTITION_TOKEN, '');
}

/** The checkpoint row and durable consumer of partition k. P = 1 keeps the historic names. */
export function partitionNames(k: number, partitions: number): { checkpoint: string; consumer: string } {
  return partitions <= 1
    ? { checkpoint: 'projector', consumer: 'periskop-projector' }
    : { checkpoint: `projector.p${k}`, consumer: `periskop-projector-p${k}` };
}
