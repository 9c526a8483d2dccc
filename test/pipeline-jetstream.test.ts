import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { randomBytes } from 'node:crypto';
import { describePipeline } from './pipeline.contract.js';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

describePipeline('JetStream', async () => {
  const suffix = randomBytes(4).toString('hex');
  const stream = `PERISKOP_PIPELINE_${suffix}`;
  return {
    section: { type: 'jetstream', url: NATS_URL, stream, subject_prefix: `ppipeline${suffix}` },
    cleanup: async () => {
      const nc = await connect({ servers: NATS_URL });
      try {
        await (await jetstreamManager(nc)).streams.delete(stream);
      } catch {
        // Not created (the test failed before start).
      } finally {
        await nc.close();
      }
    },
  };
});
