import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { sendJson } from '../api/go-response.js';
import { ErrorCollector } from './error-collector.js';

/** Periskop's own errors in the scraped format, so Periskop can scrape itself. */
@Controller('errors')
export class ErrorsController {
  constructor(private readonly collector: ErrorCollector) {}

  @Get()
  list(@Res() response: Response): void {
    sendJson(response, this.collector.export());
  }
}
