import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ReadModelQueries } from '../read-model/read-model-queries.js';
import { sendJson } from './go-response.js';

@Controller('targets')
export class TargetsController {
  constructor(private readonly queries: ReadModelQueries) {}

  /** The Go shape `{service: [{endpoint}]}`. */
  @Get()
  async list(@Res() response: Response): Promise<void> {
    const byService: Record<string, { endpoint: string }[]> = {};
    for (const target of await this.queries.targets()) {
      (byService[target.service] ??= []).push({ endpoint: target.url });
    }
    sendJson(response, byService);
  }
}
