import { Module } from '@nestjs/common';
import { LeasesController } from './leases.controller';
import { SessionsController } from './sessions.controller';

/**
 * Master sessions and session leases over HTTP; the facades (SessionsApi, SessionLeases) are
 * provided by the engine module. The leases' routes come first: `/api/sessions/:portal` would
 * otherwise take `leases` for a portal id.
 */
@Module({ controllers: [LeasesController, SessionsController] })
export class SessionsModule {}
