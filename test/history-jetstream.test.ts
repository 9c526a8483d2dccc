import { Objm } from '@nats-io/obj';
import { connect } from '@nats-io/transport-node';
import { describeHistory } from './history.contract.js';
import { deleteStream, NATS_URL, uniqueStreamNames } from './support/test-event-logs.js';

describeHistory('JetStream', async () => {
  const { stream, subjectPrefix } = uniqueStreamNames();
  return {
    section: { type: 'jetstream', url: NATS_URL, stream, subject_prefix: subjectPrefix },
    cleanup: async () => {
      await deleteStream(stream).catch(() => undefined);
      const nc = await connect({ servers: NATS_URL });
      try {
        await (await new Objm(nc).open(`${stream}_SNAPSHOTS`)).destroy();
      } catch {
        // No snapshot was taken.
      } finally {
        await nc.close();
      }
    },
  };
});
