import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { EmbeddedEventLog, type EmbeddedEventLogOptions } from '../../src/events/embedded-event-log.js';
import { JetStreamEventLog } from '../../src/events/jetstream-event-log.js';

// Real event logs for tests, each isolated and removed again by its cleanup.

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

export interface TestEventLog<Log> {
  log: Log;
  cleanup: () => Promise<void>;
}

export async function temporaryDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'periskop-events-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function openTestEmbeddedLog(options?: EmbeddedEventLogOptions): Promise<TestEventLog<EmbeddedEventLog>> {
  const { dir, remove } = await temporaryDir();
  const log = EmbeddedEventLog.open(join(dir, 'nested', 'events'), options);
  return {
    log,
    cleanup: async () => {
      await log.close();
      await remove();
    },
  };
}

/** A stream of its own, with its own subject prefix (streams cannot overlap subjects). */
export function uniqueStreamNames(): { stream: string; subjectPrefix: string } {
  const suffix = randomBytes(6).toString('hex');
  return { stream: `PERISKOP_TEST_${suffix}`, subjectPrefix: `ptest${suffix}` };
}

export async function openTestJetStreamLog(): Promise<TestEventLog<JetStreamEventLog> & { stream: string }> {
  const names = uniqueStreamNames();
  const log = await JetStreamEventLog.connect({ url: NATS_URL, ...names, name: 'periskop-test' });
  return {
    log,
    stream: names.stream,
    cleanup: async () => {
      await log.close();
      await deleteStream(names.stream);
    },
  };
}

export async function deleteStream(stream: string): Promise<void> {
  const nc = await connect({ servers: NATS_URL });
  try {
    await (await jetstreamManager(nc)).streams.delete(stream);
  } finally {
    await nc.close();
  }
}
