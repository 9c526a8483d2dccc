import { Controller, Get, Res } from '@nestjs/common';
import { ErrorCollector } from '@periskop/client';
import type { Response } from 'express';
import { sendJson } from '../api/go-response.js';

/** Periskop's own errors in the scraped format, so Periskop can scrape itself. */
@Controller('errors')
export class ErrorsController {
  constructor(private readonly collector: ErrorCollector) {}

  @Get()
  list(@Res() response: Response): void {
    sendJson(response, this.collector.export());
  }
}
