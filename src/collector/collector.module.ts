import { Global, Module } from '@nestjs/common';
import { CLOCK, type Clock } from '../clock/clock.js';
import { ErrorCollector } from './error-collector.js';
import { ErrorsController } from './errors.controller.js';

@Global()
@Module({
  controllers: [ErrorsController],
  providers: [{ provide: ErrorCollector, useFactory: (clock: Clock) => new ErrorCollector({ clock }), inject: [CLOCK] }],
  exports: [ErrorCollector],
})
export class CollectorModule {}
