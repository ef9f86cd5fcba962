// The jobs API's logic: intake, views from the live index, cancel and safe retry through the
// job machine, and the statistics operators watch.
import { Inject, Injectable } from '@nestjs/common';
import { EngineError, InvalidCommandError, NotFoundError, ValidationError } from '@engine/core';
import type { Engine } from '@engine/engine';
import { cancelRefusalReason, recoveriesPerHour, recoveryHistory, retryIsSafe, type JobContext } from '@engine/machines';
import { ENGINE } from '../engine/engine.providers';
import { jobView, type JobView } from './job-view';

export class IntakeHaltedError extends EngineError {
  constructor(portal: string, state: string) {
    super('INTAKE_HALTED', `portal ${portal}: job intake is halted while its master session is ${state}; an operator must reset it`, { details: { portal, state } });
  }
}

@Injectable()
export class JobsService {
  constructor(@Inject(ENGINE) private readonly engine: Engine) {}

  async submit(portal: string, payload: unknown, idempotencyKey: string, externalId?: string) {
    const master = this.engine.index.get(`master-${portal}`);
    if ((master?.state.context as { intakeHalted?: boolean } | undefined)?.intakeHalted) throw new IntakeHaltedError(portal, String(master?.state.value));
    const result = await this.engine.intake.submitJob({ portal, payload, idempotencyKey, externalId });
    // From the host, not the live index: the index follows the log asynchronously and may not
    // have seen the job it was just handed yet.
    const current = await this.engine.host.getState(result.stream);
    return { jobId: result.jobId, created: result.created, state: String(current?.state.value ?? 'pending') };
  }

  get(jobId: string): JobView {
    const entry = this.engine.index.get(`job-${jobId}`);
    if (!entry) throw new NotFoundError('job', jobId);
    return jobView(entry);
  }

  byExternalId(externalId: string): JobView {
    for (const entry of this.engine.index.all('job-')) {
      if ((entry.state.context as JobContext).externalId === externalId) return jobView(entry);
    }
    throw new NotFoundError('job with external id', externalId);
  }

  /**
   * Oldest first; the cursor is the last job id of the previous page. A page starts after the
   * cursor's place in that order, not at its index in this page's filtered list: the cursor job
   * may have left the filter meanwhile (its state changed), and then paging restarted at the
   * first page and a client walking pages looped. An unknown cursor is a 400.
   */
  list(filter: { status?: string; portal?: string; limit: number; cursor?: string }) {
    const views: JobView[] = [];
    for (const entry of this.engine.index.all('job-')) {
      const view = jobView(entry);
      if (filter.status && view.state !== filter.status) continue;
      if (filter.portal && view.portal !== filter.portal) continue;
      views.push(view);
    }
    views.sort(oldestFirst);
    let start = 0;
    if (filter.cursor) {
      const cursor = this.engine.index.get(`job-${filter.cursor}`);
      if (!cursor) throw new ValidationError('invalid query', { cursor: 'not a job id from a previous page' });
      const after = jobView(cursor);
      start = views.findIndex((v) => oldestFirst(v, after) > 0);
      if (start === -1) start = views.length;
    }
    const page = views.slice(start, start + filter.limit);
    const next = start + filter.limit < views.length ? page[page.length - 1]?.jobId ?? null : null;
    return { jobs: page, next };
  }

  async cancel(jobId: string, reason = 'cancelled through the API') {
    const view = this.get(jobId);
    const refusal = cancelRefusalReason({ value: view.state, context: null });
    if (refusal) throw new InvalidCommandError(`job-${jobId}`, 'CANCEL', view.state, refusal.message);
    const stream = `job-${jobId}`;
    await this.engine.host.send(stream, { type: 'CANCEL', reason, at: new Date(this.engine.clock.now()).toISOString() });
    this.engine.host.abortEffects(stream, new EngineError('CANCELLED', `job ${jobId} cancelled`));
    return this.get(jobId);
  }

  /**
   * A new job with the same input, only where the portal cannot already hold this one. Idempotent:
   * retrying the same job twice returns the same new job; a failed retry is retried by its own id.
   */
  async retry(jobId: string) {
    const entry = this.engine.index.get(`job-${jobId}`);
    if (!entry) throw new NotFoundError('job', jobId);
    if (!retryIsSafe(entry.state)) {
      throw new InvalidCommandError(`job-${jobId}`, 'retry', entry.state.value, 'a retry is only safe for a failed job the portal cannot hold (never after submit.started unless a lookup found nothing)');
    }
    const c = entry.state.context as JobContext;
    const result = await this.engine.intake.submitJob({ portal: c.portal, payload: c.payload, idempotencyKey: `retry.${jobId}` });
    return { retryOf: jobId, jobId: result.jobId, created: result.created };
  }

  async stats() {
    const byState: Record<string, number> = {};
    const byFailureType: Record<string, number> = {};
    let submitted = 0;
    let finished = 0;
    for (const entry of this.engine.index.all('job-')) {
      const view = jobView(entry);
      byState[view.state] = (byState[view.state] ?? 0) + 1;
      for (const failure of view.failures) byFailureType[failure.failureType] = (byFailureType[failure.failureType] ?? 0) + 1;
      if (view.final) {
        finished += 1;
        if (view.state === 'submitted') submitted += 1;
      }
    }
    const now = this.engine.clock.now();
    const recoveries: Record<string, number> = {};
    for (const master of this.engine.index.all('master-')) {
      recoveries[master.stream.slice('master-'.length)] = recoveriesPerHour(recoveryHistory(await this.engine.store.read(master.stream)), now);
    }
    return { byState, byFailureType, finished, submitted, successRate: finished === 0 ? null : submitted / finished, recoveriesPerHour: recoveries, scheduler: this.engine.scheduler.status() };
  }
}

function oldestFirst(a: Pick<JobView, 'createdAt' | 'jobId'>, b: Pick<JobView, 'createdAt' | 'jobId'>): number {
  return (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.jobId.localeCompare(b.jobId);
}
