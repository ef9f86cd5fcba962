import { Module } from '@nestjs/common';
import { JobsController } from './jobs.controller';

/** The jobs API; its facade (JobsApi) is provided by the engine module. */
@Module({ controllers: [JobsController] })
export class JobsModule {}
