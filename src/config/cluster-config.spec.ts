import { ConfigError } from './config-error.js';
import { parseConfigText } from './load-config.js';

const JETSTREAM = 'events: {type: jetstream, url: "nats://localhost:4222"}\n';

function parse(text: string) {
  return parseConfigText(`${text}\nservices: []`, 'test.yaml');
}

describe('cluster and partition configuration', () => {
  it.each([
    ['no cluster section: nothing changes', JETSTREAM, { cluster: undefined, partitions: undefined }],
    ['partitions beside the Go keys', `events: {type: jetstream, url: "nats://n:4222", partitions: 8}`, { cluster: undefined, partitions: 8 }],
    [
      'a cluster with its defaults',
      `${JETSTREAM}cluster: {replica_id: r1}`,
      { cluster: { enabled: true, leaseTtlMs: 15_000, replicaId: 'r1' }, partitions: undefined },
    ],
    [
      'a cluster lease ttl',
      `${JETSTREAM}cluster: {enabled: true, lease_ttl: 3s, replica_id: a}`,
      { cluster: { enabled: true, leaseTtlMs: 3_000, replicaId: 'a' }, partitions: undefined },
    ],
    ['a disabled cluster with the embedded log', 'cluster: {enabled: false, replica_id: a}', { cluster: { enabled: false, leaseTtlMs: 15_000, replicaId: 'a' }, partitions: undefined }],
  ])('%s', (_behaviour, text, expected) => {
    const config = parse(text);
    expect(config.cluster).toEqual(expected.cluster);
    expect(config.events.type === 'jetstream' ? config.events.partitions : undefined).toBe(expected.partitions);
  });

  it('defaults the replica id to host and pid', () => {
    expect(parse(`${JETSTREAM}cluster: {}`).cluster?.replicaId).toMatch(new RegExp(`-${process.pid}$`));
  });

  it.each([
    ['cluster: {enabled: true}', 'cluster.enabled', 'a cluster needs a shared event log: set events.type to jetstream (or enabled: false)'],
    [`${JETSTREAM}cluster: {enabled: yes}`, 'cluster.enabled', 'expected true or false, got "yes"'],
    [`${JETSTREAM}cluster: {lease_ttl: 500ms}`, 'cluster.lease_ttl', 'must be at least 1s (a lease is renewed every third of it)'],
    [`${JETSTREAM}cluster: {ttl: 5s}`, 'cluster.ttl', 'unknown key (allowed: enabled, lease_ttl, replica_id)'],
    [`events: {type: jetstream, url: "nats://n:4222", partitions: 0}`, 'events.partitions', '0 is out of range (1..256)'],
    ['events: {type: embedded, partitions: 2}', 'events.partitions', 'unknown key (allowed with type embedded: type, path, snapshot_every, snapshots_kept)'],
  ])('%s is refused at %s', (text, keyPath, problem) => {
    let error: unknown;
    try {
      parse(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ path: keyPath, problem });
  });
});
