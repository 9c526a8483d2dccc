import { Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';
import { ProjectionController } from './projection.controller.js';
import { ProjectorModule } from '../projector/projector.module.js';
import { ServicesController } from './services.controller.js';
import { TargetsController } from './targets.controller.js';

@Module({ imports: [ProjectorModule], controllers: [ServicesController, TargetsController, HealthController, ProjectionController] })
export class ApiModule {}
