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
import { HttpSecurity } from './security/index.js';
import { staticUi } from './static-ui.js';

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
  // Headers, CORS (localhost origins as the Go server, unless configured), size limits,
  // authentication and the JSON body parsers; before the static UI so it is covered too.
  app.get(HttpSecurity).install(app);
  app.useGlobalFilters(new ReportExceptionsFilter(app.get(ErrorCollector), app.get(PeriskopMetrics)));
  // The Angular UI (client/), built by `npm run build`, on the API's origin.
  if (existsSync(CLIENT_DIR)) app.use(staticUi(CLIENT_DIR));
  await app.init();
  return app;
}
