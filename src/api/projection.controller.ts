import { Controller, Get } from '@nestjs/common';
import { EventStore } from '../events/event-store.js';
import { Projector } from '../projector/projector.js';

/** How far the read model is behind the log: `lag` events not yet visible in the API. */
@Controller('-/projection')
export class ProjectionController {
  constructor(
    private readonly projector: Projector,
    private readonly events: EventStore,
  ) {}

  @Get()
  async status(): Promise<{ checkpoint: number; head: number; lag: number }> {
    const head = await this.events.head();
    const checkpoint = this.projector.checkpoint;
    return { checkpoint, head, lag: Math.max(0, head - checkpoint) };
  }
}
