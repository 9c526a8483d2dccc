import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ReadModelDatabase } from '../read-model/read-model-database.js';
import { sendText } from './go-response.js';

@Controller('-/health')
export class HealthController {
  constructor(private readonly db: ReadModelDatabase) {}

  @Get()
  async check(@Res() response: Response): Promise<void> {
    if (!(await this.db.isReachable())) return sendText(response, 503, `read model database (${this.db.description}) is unreachable`);
    sendText(response, 200, 'OK');
  }
}
