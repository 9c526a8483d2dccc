import { Module } from '@nestjs/common';
import { PushController } from './push.controller.js';

/** Largest push body accepted (413 beyond): the scraper's default body limit. */
export const PUSH_BODY_LIMIT = '16mb';

@Module({ controllers: [PushController] })
export class PushModule {}
