import { Controller, Get } from '@nestjs/common';
import { ProjectionProgress, type ProjectionStatus } from '../cluster/projection-progress.js';
import { AppliedSeqMemo } from './applied-seq-memo.js';

/**
 * How far the read model is behind the log: `lag` events not yet visible in the API; per
 * partition too when the stream is projected per partition.
 */
@Controller('-/projection')
export class ProjectionController {
  constructor(
    private readonly progress: ProjectionProgress,
    private readonly appliedSeq: AppliedSeqMemo,
  ) {}

  @Get()
  status(): Promise<ProjectionStatus> {
    // A client that waits here for a checkpoint then reads the API: it must see what it waited for.
    this.appliedSeq.invalidate();
    return this.progress.status();
  }
}
