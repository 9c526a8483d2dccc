import type { EventsConfig } from '../config/config.types.js';
import { EmbeddedEventLog } from './embedded-event-log.js';
import type { EventLog } from './event-log.js';
import { JetStreamEventLog } from './jetstream-event-log.js';

export async function openEventLog(config: EventsConfig): Promise<EventLog> {
  switch (config.type) {
    case 'embedded':
      return EmbeddedEventLog.open(config.path);
    case 'jetstream':
      return JetStreamEventLog.connect({
        url: config.url,
        stream: config.stream,
        subjectPrefix: config.subjectPrefix,
        replicas: config.replicas,
        maxAgeMs: config.maxAgeMs,
        maxBytes: config.maxBytes,
      });
    default: {
      const unknown: never = config;
      throw new Error(`unknown event log ${JSON.stringify(unknown)}`);
    }
  }
}

export function describeEventLog(config: EventsConfig): string {
  return config.type === 'embedded' ? `embedded log at ${config.path}` : `JetStream stream ${config.stream} at ${config.url}`;
}
