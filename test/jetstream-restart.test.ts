import { jest } from '@jest/globals';
import type { StoredMessage } from '../src/events/event-log.js';
import { JetStreamEventLog } from '../src/events/jetstream-event-log.js';
import { freePort } from './support/periskop-under-test.js';
import { hasNatsServer, startNatsServer as startServer, stopNatsServer as stopServer } from './support/private-nats.js';
import { temporaryDir } from './support/test-event-logs.js';
import { waitFor } from './support/wait-for.js';

const describeWithServer = hasNatsServer ? describe : describe.skip;

describeWithServer('JetStream event log across a NATS restart', () => {
  it('keeps appending and consuming, in order, once the server is back', async () => {
    const quiet = [jest.spyOn(console, 'warn'), jest.spyOn(console, 'error')].map((spy) => spy.mockImplementation(() => undefined));
    const port = await freePort();
    const { dir, remove } = await temporaryDir();
    let server = await startServer(port, dir);
    const log = await JetStreamEventLog.connect({ url: `nats://127.0.0.1:${port}`, stream: 'RESTART', subjectPrefix: 'restart' });
    try {
      const received: StoredMessage[] = [];
      const subscription = log.consume({ name: 'survivor', fromSeq: 1, maxBatch: 10 }, async (batch) => {
        received.push(...batch);
      });
      const message = (n: number) => ({ subject: 'Test.a', id: `m${n}`, data: new Uint8Array([n]) });
      await log.append([message(1), message(2)]);
      await waitFor(() => received.length === 2, 10_000, 'the first two');

      await stopServer(server);
      server = await startServer(port, dir);

      expect(await log.append([message(3), message(4)])).toEqual([
        { seq: 3, duplicate: false },
        { seq: 4, duplicate: false },
      ]);
      await waitFor(() => received.some((m) => m.seq === 4), 20_000, 'the consumer to resume');
      expect(received.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
      await subscription.stop();
    } finally {
      await log.close();
      await stopServer(server);
      await remove();
      quiet.forEach((spy) => spy.mockRestore());
    }
  });
});
