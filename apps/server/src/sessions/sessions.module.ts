import { Module } from '@nestjs/common';
import { SessionsController } from './sessions.controller';

/** Master sessions over HTTP; the facade (SessionsApi) is provided by the engine module. */
@Module({ controllers: [SessionsController] })
export class SessionsModule {}
