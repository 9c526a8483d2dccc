import { Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';
import { ProjectionController } from './projection.controller.js';
import { ProjectorModule } from '../projector/projector.module.js';
import { ScraperModule } from '../scraper/scraper.module.js';
import { UiApiController } from './ui-api.controller.js';
import { ServicesController } from './services.controller.js';
import { TargetsController } from './targets.controller.js';

@Module({
  imports: [ProjectorModule, ScraperModule],
  controllers: [ServicesController, TargetsController, HealthController, ProjectionController, UiApiController],
})
export class ApiModule {}
