// The effects of the job machine against real browsers: clone the master session, probe the
// clone, fill one named step at a time, submit, look a submission up by business key, capture
// failure evidence, report a dead session to the master, close the clone. An attempt runs on the
// master session its START named (a portal account, `context.masterSession`; `master-<portal>`
// when none), and the search after a click goes through the session that clicked
// (`context.submittedVia`): a portal may show an account only its own submissions. Each answers with
// the machine's outcome event; failures carry an error code, never an error's text.
import type { Page } from 'puppeteer-core';
import { EngineError, InvalidCommandError, TimeoutError, type Clock, type CommandSender, type EffectContext, type EffectHandlers, type Logger, type StateFeed } from '@engine/core';
import { captureFailure, type ArtifactStore, type CloneStrategy, type SessionClone, type SessionCloner, type SessionSource } from '@engine/browser';
import type { PortalAdapter } from '@engine/portals';
import { attemptSession, isMasterAvailable, jobInterruptedEvent, MASTER_STREAM_PREFIX, submitSession, type CloneSessionParams, type FillStepParams, type FindSubmissionParams, type JobContext, type JobDefinition, type JobEvent, type SubmitFormParams } from '@engine/machines';
import type { CaptureArtifactParams, ReportSessionFailureParams, ValidateSessionParams } from '@engine/machines';
import type { PortalRegistry } from '../portals/portal-registry';
import { failureCode } from './failure-code';

export interface JobEffectsOptions {
  /** The read feed: a lookup waits on it for its portal's master session to be available. */
  feed: StateFeed;
  portals: PortalRegistry;
  cloner: SessionCloner;
  /** The logged-in master page of a master session (`<portal>` or `<portal>.<account>`), when its browser is up. */
  masterSource: (session: string) => SessionSource | undefined;
  artifacts: ArtifactStore;
  clock: Clock;
  logger: Logger;
  strategy?: CloneStrategy;
  timeouts?: Partial<JobEffectTimeouts>;
  /** A portal's own timeouts, over `timeouts` (the server's per-portal settings). */
  portalTimeouts?: (portal: string) => Partial<JobEffectTimeouts> | undefined;
  /** Called with each clone's duration, for metrics. */
  onCloned?: (portal: string, strategy: CloneStrategy, seconds: number) => void;
}

export interface JobEffectTimeouts {
  cloneMs: number;
  probeMs: number;
  stepMs: number;
  submitMs: number;
  lookupMs: number;
  lookupWaitMs: number;
  captureMs: number;
  lookupTries: number;
  lookupRetryMs: number;
}

/** Only the options given with a value: an option given as undefined keeps its default. */
const defined = <T extends object>(given: T | undefined): Partial<T> => Object.fromEntries(Object.entries(given ?? {}).filter(([, value]) => value !== undefined)) as Partial<T>;

export class JobEffects {
  private readonly clones = new Map<string, SessionClone>();
  private readonly timeouts: JobEffectTimeouts;
  private readonly byPortal = new Map<string, JobEffectTimeouts>();

  constructor(private readonly options: JobEffectsOptions) {
    // An option given as undefined keeps its default (a spread would let it replace the default:
    // an undefined lookup wait made the lookup give up at once, or, compared as NaN, never).
    this.timeouts = { cloneMs: 30_000, probeMs: 10_000, stepMs: 30_000, submitMs: 30_000, lookupMs: 20_000, lookupWaitMs: 120_000, captureMs: 10_000, lookupTries: 3, lookupRetryMs: 1_000, ...defined(options.timeouts) };
  }

  /** The portal's timeouts: its own over the engine's. */
  private timeoutsOf(portal: string): JobEffectTimeouts {
    let timeouts = this.byPortal.get(portal);
    if (!timeouts) {
      timeouts = { ...this.timeouts, ...defined(this.options.portalTimeouts?.(portal)) };
      this.byPortal.set(portal, timeouts);
    }
    return timeouts;
  }

  /** Clones currently open (the health of the engine, and a leak check in tests). */
  openClones(): number {
    return this.clones.size;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.clones.keys()].map((key) => this.closeClone(key)));
  }

  registry(): EffectHandlers<JobDefinition> {
    const interrupted = (effect: 'cloneSession' | 'validateSession' | 'fillStep' | 'submitForm') => async (): Promise<JobEvent> =>
      jobInterruptedEvent(effect, this.now()) as JobEvent;
    return {
      cloneSession: { run: (p, ctx) => this.cloneSession(p, attemptSession({ portal: p.portal, masterSession: ctx.state.context.masterSession }), ctx.signal), onInterrupted: interrupted('cloneSession') },
      validateSession: { run: (p, ctx) => this.validate(p, ctx.signal), onInterrupted: interrupted('validateSession') },
      fillStep: { run: (p, ctx) => this.fillStep(p, ctx.state.context, ctx.signal), onInterrupted: interrupted('fillStep') },
      submitForm: { run: (p, ctx) => this.submit(p, ctx.state.context, ctx), onInterrupted: interrupted('submitForm') },
      findSubmission: { run: (p, ctx) => this.find(p, ctx.state.context, ctx.send, ctx.signal) },
      captureArtifact: { run: (p, ctx) => this.capture(p, ctx.state.context.portal, ctx.signal) },
      reportSessionFailure: { run: (p, ctx) => this.reportSessionFailure(p, attemptSession({ portal: p.portal, masterSession: ctx.state.context.masterSession }), ctx.send) },
      closeClone: { run: async (p) => this.closeClone(cloneKey(p.jobId, p.attempt)) },
    };
  }

  private now(): string {
    return new Date(this.options.clock.now()).toISOString();
  }

  private async cloneSession(p: CloneSessionParams, session: string, signal: AbortSignal): Promise<JobEvent> {
    const source = this.options.masterSource(instanceOf(session));
    if (!source) return { type: 'CLONE_FAILED', code: 'MASTER_UNAVAILABLE', at: this.now() };
    const key = cloneKey(p.jobId, p.attempt);
    await this.closeClone(key); // a re-run after a crash or an abort must not leak the first clone
    const started = process.hrtime.bigint();
    const strategy = this.options.strategy ?? 'context';
    try {
      const clone = await this.options.cloner.clone(source, { strategy, signal, timeoutMs: this.timeoutsOf(p.portal).cloneMs });
      if (signal.aborted) {
        await clone.close();
        throw signal.reason;
      }
      this.clones.set(key, clone);
      this.options.onCloned?.(p.portal, strategy, Number(process.hrtime.bigint() - started) / 1e9);
      return { type: 'CLONED', at: this.now() };
    } catch (error) {
      if (signal.aborted) throw error;
      return { type: 'CLONE_FAILED', code: failureCode(error), at: this.now() };
    }
  }

  private async validate(p: ValidateSessionParams, signal: AbortSignal): Promise<JobEvent> {
    const adapter = this.adapter(p.portal);
    // The first step navigates anyway and reports the login page itself: no probe round trip.
    if (adapter.detectsLoggedOutOnNavigation === true && adapter.fillSteps.length > 0) return { type: 'SESSION_VALID', at: this.now(), checkedBy: 'first-step' };
    const page = this.page(p.jobId, p.attempt);
    const result = await this.adapter(p.portal).probe(page, { signal, timeoutMs: this.timeoutsOf(p.portal).probeMs });
    if (result.status === 'valid') return { type: 'SESSION_VALID', at: this.now() };
    const artifactRef = await this.evidence(page, p.portal, `${p.jobId}-validating`, signal);
    if (result.status === 'login-form') return { type: 'LOGIN_FORM_SEEN', artifactRef, at: this.now() };
    return { type: 'PAGE_UNRECOGNISED', code: 'PAGE_UNRECOGNISED', artifactRef, at: this.now() };
  }

  private async fillStep(p: FillStepParams, context: JobContext, signal: AbortSignal): Promise<JobEvent> {
    const page = this.page(p.jobId, p.attempt);
    try {
      await this.adapter(context.portal).fillStep(page, context.payload, p.step, { signal, timeoutMs: this.timeoutsOf(context.portal).stepMs });
      return { type: 'STEP_FILLED', step: p.step, at: this.now() };
    } catch (error) {
      if (signal.aborted) throw error;
      const code = failureCode(error);
      const artifactRef = await this.evidence(page, context.portal, `${p.jobId}-${p.step}`, signal);
      if (code === 'SESSION_EXPIRED') return { type: 'LOGIN_FORM_SEEN', artifactRef, at: this.now() };
      if (code === 'FORM_REJECTED') return { type: 'STEP_REJECTED', step: p.step, code, artifactRef, at: this.now() };
      return { type: 'STEP_FAILED', step: p.step, code, artifactRef, at: this.now() };
    }
  }

  private async submit(p: SubmitFormParams, context: JobContext, { signal, confirmHeld, stream }: EffectContext): Promise<JobEvent> {
    const page = this.page(p.jobId, p.attempt);
    try {
      // The last moment to find out that this worker was paused and its lease passed on.
      await confirmHeld();
    } catch (error) {
      // Not clicked. Whoever holds the job now (this worker, after a blip) reconciles before any click.
      this.options.logger.warn('submission not clicked: the lease could not be confirmed', { stream, code: failureCode(error) });
      return { type: 'SUBMIT_INTERRUPTED', at: this.now() };
    }
    try {
      const { reference } = await this.adapter(p.portal).submit(page, context.payload, { signal, timeoutMs: this.timeoutsOf(p.portal).submitMs });
      return { type: 'SUBMITTED', reference, at: this.now() };
    } catch (error) {
      // Whatever went wrong after the click, the portal may hold the submission: reconcile.
      return { type: 'SUBMIT_FAILED', code: failureCode(error), at: this.now() };
    }
  }

  /**
   * Searches the portal by business key in a clone of its own, so the job's clone keeps its
   * evidence. A lookup that meets the login page (the portal ended the session under it) has
   * learnt nothing: the master session is told, and the search runs again once it is back,
   * up to `lookupTries` within `lookupWaitMs`. Only then is the lookup impossible.
   */
  private async find(p: FindSubmissionParams, context: JobContext, send: CommandSender, signal: AbortSignal): Promise<JobEvent> {
    const jobId = context.jobId;
    const session = submitSession({ portal: p.portal, masterSession: context.masterSession, submittedVia: context.submittedVia });
    const timeouts = this.timeoutsOf(p.portal);
    // An authoritative search is read no sooner than its settle delay after the click.
    const authority = this.adapter(p.portal).authoritativeLookup;
    if (authority && context.submitStartedAt) {
      const waitMs = Date.parse(context.submitStartedAt) + authority.settleMs - this.options.clock.now();
      if (waitMs > 0) await abortableDelay(waitMs, signal);
    }
    const deadline = this.options.clock.now() + timeouts.lookupWaitMs;
    let outcome: JobEvent = { type: 'LOOKUP_FAILED', code: 'MASTER_UNAVAILABLE', at: this.now() };
    for (let tries = 0; tries < timeouts.lookupTries; tries++) {
      if (tries > 0) await new Promise((resolve) => setTimeout(resolve, timeouts.lookupRetryMs));
      if (!(await this.masterAvailable(session, deadline, signal))) return outcome;
      outcome = await this.lookOnce(p, session, signal);
      if (outcome.type !== 'LOOKUP_FAILED' || outcome.code !== 'SESSION_EXPIRED' || this.options.clock.now() >= deadline) return outcome;
      await this.reportSessionFailure({ portal: p.portal, jobId, reason: 'login_form' }, session, send);
    }
    return outcome;
  }

  /**
   * Waits, on the read feed, until the master session (its stream) is available with its browser
   * up; false when the deadline passes first. A state that says available while the browser is
   * gone changes soon (BROWSER_LOST), and that change is the next look.
   */
  private async masterAvailable(session: string, deadline: number, signal: AbortSignal): Promise<boolean> {
    const usable = () => isMasterAvailable(this.options.feed.get(session)?.state ?? undefined) && this.options.masterSource(instanceOf(session)) !== undefined;
    try {
      await this.options.feed.waitFor(session, usable, { signal, timeoutMs: Math.max(0, deadline - this.options.clock.now()) });
      return true;
    } catch (error) {
      if (error instanceof TimeoutError || signal.aborted) return false;
      throw error;
    }
  }

  private async lookOnce(p: FindSubmissionParams, session: string, signal: AbortSignal): Promise<JobEvent> {
    let clone: SessionClone | undefined;
    try {
      clone = await this.options.cloner.clone(this.options.masterSource(instanceOf(session)) as SessionSource, { strategy: 'context', signal, timeoutMs: this.timeoutsOf(p.portal).cloneMs });
      const result = await this.adapter(p.portal).findSubmission(clone.page, p.businessKey, { signal, timeoutMs: this.timeoutsOf(p.portal).lookupMs });
      if (result.found) return { type: 'SUBMISSION_FOUND', reference: result.reference, at: this.now() };
      return this.adapter(p.portal).authoritativeLookup ? { type: 'SUBMISSION_NOT_FOUND', at: this.now(), authoritative: true } : { type: 'SUBMISSION_NOT_FOUND', at: this.now() };
    } catch (error) {
      if (signal.aborted) throw error;
      return { type: 'LOOKUP_FAILED', code: failureCode(error), at: this.now() };
    } finally {
      await clone?.close().catch(() => undefined);
    }
  }

  private async capture(p: CaptureArtifactParams, portal: string, signal: AbortSignal): Promise<JobEvent> {
    const page = this.page(p.jobId, p.attempt);
    const artifactRef = await this.evidence(page, portal, `${p.jobId}-${p.stage}`, signal);
    if (!artifactRef) throw new EngineError('ARTIFACT_UNAVAILABLE', `job ${p.jobId}: no screenshot could be taken`);
    return { type: 'ARTIFACT_CAPTURED', artifactRef, at: this.now() };
  }

  private async reportSessionFailure(p: ReportSessionFailureParams, session: string, send: CommandSender): Promise<JobEvent> {
    try {
      await send(session, { type: 'FAILURE_REPORTED', jobId: p.jobId, reason: p.reason, at: this.now() });
    } catch (error) {
      // A master session that is starting or critical does not take reports: it knows already.
      if (!(error instanceof InvalidCommandError)) throw error;
    }
    return { type: 'SESSION_FAILURE_REPORTED', at: this.now() };
  }

  private async closeClone(key: string): Promise<void> {
    const clone = this.clones.get(key);
    if (!clone) return;
    this.clones.delete(key);
    await clone.close().catch((error) => this.options.logger.warn('clone did not close cleanly', { clone: key, code: failureCode(error) }));
  }

  private page(jobId: string, attempt: number): Page {
    const clone = this.clones.get(cloneKey(jobId, attempt));
    if (!clone) throw new EngineError('CLONE_GONE', `job ${jobId} attempt ${attempt}: its clone is gone`);
    return clone.page;
  }

  private adapter(portal: string): PortalAdapter {
    return this.options.portals.get(portal);
  }

  /** A screenshot of the page as it is, or null when even that fails (a crashed tab). */
  private async evidence(page: Page, portal: string, label: string, signal: AbortSignal): Promise<string | null> {
    try {
      const saved = await captureFailure(page, { store: this.options.artifacts, label, signal, timeoutMs: this.timeoutsOf(portal).captureMs });
      return saved.screenshot ?? null;
    } catch {
      return null;
    }
  }
}

function instanceOf(stream: string): string {
  return stream.slice(MASTER_STREAM_PREFIX.length);
}

function cloneKey(jobId: string, attempt: number): string {
  return `${jobId}#${attempt}`;
}

/** Waits `ms`, or rejects as soon as the signal aborts. */
function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
