// Session leases over HTTP: a script outside the engine borrows a portal's logged-in session
// (an isolated browser's DevTools endpoint, or its cookies) until it gives it back or the ttl
// runs out. Thin: validate, call one facade method, return its typed result. Registered before
// the master-session routes so `/api/sessions/leases` is never read as a portal id.
import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod/v4';
import { grantedLeaseSchema, leaseViewSchema, SessionLeases, type GrantedLease, type LeaseView } from '@engine/engine';
import { ActingAs, ApiActorHeader, type Actor } from '../common/actor';
import { ApiJsonBody, ApiJsonResponse } from '../common/api-schema';
import { parseOrThrow } from '../common/validation';
import { createLeaseSchema, emptyLeaseBodySchema, emptyLeaseQuerySchema, leaseIdSchema } from './leases.schemas';

const leaseListSchema = z.object({ items: z.array(leaseViewSchema) });

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('api/sessions/leases')
export class LeasesController {
  constructor(private readonly leases: SessionLeases) {}

  @Post()
  @HttpCode(201)
  // The answer carries the endpoint or the cookies: never cached.
  @Header('Cache-Control', 'no-store')
  @ApiActorHeader()
  @ApiJsonBody(createLeaseSchema)
  @ApiJsonResponse(grantedLeaseSchema, 201, 'the lease with what it lends (given once); 409 when the master session is not ready or the lease cap is reached, 503 when the copy failed')
  create(@Body() body: unknown, @ActingAs() by: Actor): Promise<GrantedLease> {
    return this.leases.create(parseOrThrow(createLeaseSchema, body, 'lease request'), by);
  }

  @Get()
  @ApiJsonResponse(leaseListSchema)
  list(@Query() query: unknown): { items: LeaseView[] } {
    parseOrThrow(emptyLeaseQuerySchema, query, 'query');
    return { items: this.leases.list() };
  }

  @Get(':id')
  @ApiJsonResponse(leaseViewSchema)
  get(@Param('id') id: string): LeaseView {
    return this.leases.get(parseOrThrow(leaseIdSchema, id, 'lease id'));
  }

  @Delete(':id')
  @ApiActorHeader()
  @ApiJsonResponse(leaseViewSchema, 200, 'the lease, ended (its browser closed)')
  release(@Param('id') id: string, @Body() body: unknown, @ActingAs() by: Actor): Promise<LeaseView> {
    parseOrThrow(emptyLeaseBodySchema, body ?? {}, 'release request');
    return this.leases.release(parseOrThrow(leaseIdSchema, id, 'lease id'), by);
  }
}
