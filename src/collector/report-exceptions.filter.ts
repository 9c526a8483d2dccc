import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { ErrorCollector } from '@periskop/client';
import type { Request, Response } from 'express';
import type { PeriskopMetrics } from '../metrics/periskop-metrics.js';
import { PUSH_BODY_LIMIT } from '../push/push.module.js';
import { ReadModelUnavailable } from '../read-model/read-model-database.js';

/** Unexpected failures of a request go to Periskop's own /errors, like any service's. */
@Catch()
export class ReportExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Api');

  constructor(
    private readonly collector: ErrorCollector,
    private readonly metrics: PeriskopMetrics,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof ReadModelUnavailable) {
      this.metrics.applicationErrors.inc({ type: 'read_model_unavailable' });
      response.status(503).type('text/plain').send(`${exception.message}\n`);
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      // The body parser's refusals arrive with a bare string.
      const message = status === 413 ? `request body is larger than the limit of ${PUSH_BODY_LIMIT}` : body;
      response.status(status).json(typeof body === 'string' ? { statusCode: status, message } : body);
      return;
    }
    this.collector.report(exception, {
      httpContext: { method: request.method, url: request.originalUrl, headers: request.headers },
    });
    this.metrics.applicationErrors.inc({ type: 'api' });
    this.logger.error(`${request.method} ${request.originalUrl}: ${(exception as Error)?.stack ?? String(exception)}`);
    if (!response.headersSent) response.status(500).type('text/plain').send('internal error\n');
  }
}

