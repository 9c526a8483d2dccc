import { Controller, Get } from '@nestjs/common';
import { ProjectionProgress, type ProjectionStatus } from '../cluster/projection-progress.js';

/**
 * How far the read model is behind the log: `lag` events not yet visible in the API; per
 * partition too when the stream is projected per partition.
 */
@Controller('-/projection')
export class ProjectionController {
  constructor(private readonly progress: ProjectionProgress) {}

  @Get()
  status(): Promise<ProjectionStatus> {
    return this.progress.status();
  }
}
