import { Global, Module } from '@nestjs/common';
import { ErrorCollector } from '@periskop/client';
import { CLOCK, type Clock } from '../clock/clock.js';
import { ErrorsController } from './errors.controller.js';

@Global()
@Module({
  controllers: [ErrorsController],
  providers: [{ provide: ErrorCollector, useFactory: (clock: Clock) => new ErrorCollector({ clock }), inject: [CLOCK] }],
  exports: [ErrorCollector],
})
export class CollectorModule {}
