import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication, LogLevel } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ErrorCollector } from '@periskop/client';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppModule } from './app.module.js';
import type { Clock } from './clock/clock.js';
import { ReportExceptionsFilter } from './collector/report-exceptions.filter.js';
import type { PeriskopConfig } from './config/config.types.js';
import { PeriskopMetrics } from './metrics/periskop-metrics.js';
import { PUSH_BODY_LIMIT } from './push/push.module.js';

const CLIENT_DIR = fileURLToPath(new URL('../client/dist/browser', import.meta.url));

export interface AppOptions {
  clock?: Clock;
  logLevels?: LogLevel[];
}

/** The HTTP application, initialised (pipeline running) but not yet listening. */
export async function createPeriskopApp(config: PeriskopConfig, options: AppOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forConfig(config, options.clock), {
    logger: options.logLevels ?? ['log', 'warn', 'error', 'fatal'],
    abortOnError: false,
    bodyParser: false,
  });
  app.useBodyParser('json', { limit: PUSH_BODY_LIMIT });
  app.useGlobalFilters(new ReportExceptionsFilter(app.get(ErrorCollector), app.get(PeriskopMetrics)));
  // As the Go server: the UI may be served from another localhost port during development.
  app.enableCors({ origin: /^http:\/\/localhost:\d+$/, methods: ['GET', 'POST', 'PUT', 'DELETE'] });
  // The Angular UI (client/), built by `npm run build`, on the API's origin.
  if (existsSync(CLIENT_DIR)) app.useStaticAssets(CLIENT_DIR);
  await app.init();
  return app;
}
