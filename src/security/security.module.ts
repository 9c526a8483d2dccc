import { Inject, Injectable, Module, type INestApplication } from '@nestjs/common';
import { PERISKOP_CONFIG, type PeriskopConfig } from '../config/config.types.js';
import { installHttpSecurity } from './http-security.js';

/**
 * The HTTP security layer with the configuration it was built from. Installed by the app
 * before the static UI and `init()` (see installHttpSecurity for why it is Express middleware
 * rather than Nest guards).
 */
@Injectable()
export class HttpSecurity {
  constructor(@Inject(PERISKOP_CONFIG) private readonly config: PeriskopConfig) {}

  install(app: INestApplication): void {
    installHttpSecurity(app, this.config);
  }
}

@Module({ providers: [HttpSecurity], exports: [HttpSecurity] })
export class SecurityModule {}
