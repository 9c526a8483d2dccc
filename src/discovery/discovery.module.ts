import { Module } from '@nestjs/common';
import { TargetDirectory } from './target-directory.js';

@Module({ providers: [TargetDirectory], exports: [TargetDirectory] })
export class DiscoveryModule {}
