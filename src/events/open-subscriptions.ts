import type { Subscription } from './event-log.js';

/** The consumers an event log has running, so closing the log stops them first. */
export class OpenSubscriptions {
  private readonly open = new Set<Subscription>();

  track(consumer: { stop(): Promise<void> }): Subscription {
    const subscription: Subscription = {
      stop: async () => {
        await consumer.stop();
        this.open.delete(subscription);
      },
    };
    this.open.add(subscription);
    return subscription;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.open].map((subscription) => subscription.stop()));
  }
}
