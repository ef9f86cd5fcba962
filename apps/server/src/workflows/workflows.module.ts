// Isolated workflow sessions: each workflow its own browser context and folder (libs/engine/src/workflows).
import { Module } from '@nestjs/common';
import { WorkflowsController } from './workflows.controller';

/** The facade (WorkflowSessions) is provided by the engine module. */
@Module({ controllers: [WorkflowsController] })
export class WorkflowsModule {}
