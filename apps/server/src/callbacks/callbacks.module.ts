import { Module } from '@nestjs/common';
import { CallbacksController } from './callbacks.controller';

/** The completion-callbacks API; its facade (CallbacksApi) is provided by the engine module. */
@Module({ controllers: [CallbacksController] })
export class CallbacksModule {}
