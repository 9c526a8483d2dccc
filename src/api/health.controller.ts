import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { PERISKOP_CONFIG, type PeriskopConfig } from '../config/config.types.js';
import { EventStore } from '../events/event-store.js';
import { ReadModelDatabase } from '../read-model/read-model-database.js';
import { sendText } from './go-response.js';
import { AppliedSeqMemo } from './applied-seq-memo.js';

/** How long the event log may take to say its head before health calls it unreachable. */
const EVENT_LOG_TIMEOUT_MS = 2_000;

@Controller('-/health')
export class HealthController {
  constructor(
    private readonly db: ReadModelDatabase,
    private readonly events: EventStore,
    @Inject(PERISKOP_CONFIG) private readonly config: PeriskopConfig,
    private readonly appliedSeq: AppliedSeqMemo,
  ) {}

  @Get()
  async check(@Res() response: Response): Promise<void> {
    if (!(await this.db.isReachable())) {
      // Reads that follow must say so too, not answer from the memoised sequence's cached body.
      this.appliedSeq.invalidate();
      return sendText(response, 503, `read model database (${this.db.description}) is unreachable`);
    }
    const logProblem = await this.eventLogProblem();
    if (logProblem !== null) {
      // 200, not 503: reads still work from the read model, so a readiness probe must keep this
      // replica in rotation; what is scraped meanwhile is recorded once the log is back.
      return sendText(response, 200, `degraded: the event log (${this.logDescription()}) is unreachable: ${logProblem}; the API serves the read model, new changes wait`);
    }
    sendText(response, 200, 'OK');
  }

  private async eventLogProblem(): Promise<string | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`no answer within ${EVENT_LOG_TIMEOUT_MS} ms`), EVENT_LOG_TIMEOUT_MS)));
    try {
      return await Promise.race([this.events.head().then(() => null), timeout]);
    } catch (error) {
      return (error as Error).message;
    } finally {
      clearTimeout(timer);
    }
  }

  private logDescription(): string {
    const events = this.config.events;
    // Credentials in the URL stay out of the answer.
    return events.type === 'jetstream' ? `JetStream ${events.url.replace(/\/\/[^@/,]*@/g, '//***@')}, stream ${events.stream}` : `embedded, ${events.path}`;
  }
}
