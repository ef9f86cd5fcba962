// Isolated workflow sessions, the runtime behind the workflow-session machine: each workflow
// gets its own browser context (in one shared worker browser) and its own folder
// `<dataDir>/workflows/<sid>/`; two workflows never share cookies, storage or files. The API
// methods send the machine its commands and wait for the browser work to settle; the effects
// do that work. Every sid and file name from outside is allow-listed, every path proved inside
// the data folder (workflow-folders.ts).
//
// Restart policy: browser contexts die with the process that opened them. At start, every
// workflow restored as `active` is sent REOPEN (`engine_restarted`): it gets a fresh, empty
// context and keeps its folder and files; its idle expiry still counts from its last use.
// Workflows caught opening, resetting or closing have a started-but-unanswered effect; the host
// runs it again (all three are idempotent). Folders that belong to no live workflow (a close
// that crashed half-way) are removed. A worker browser that crashes is handled the same way:
// its workflows are sent REOPEN (`browser_crashed`).
import type { Page } from 'puppeteer-core';
import {
  EngineError,
  InvalidCommandError,
  NotFoundError,
  RandomIdGenerator,
  ValidationError,
  VersionConflictError,
  type ActorHost,
  type Clock,
  type EffectHandlers,
  type IdGenerator,
  type Logger,
  type StateOf,
} from '@engine/core';
import type { BrowserHost } from '@engine/browser';
import { DEFAULT_WORKFLOW_IDLE_MS, WORKFLOW_SESSION_MACHINE, type WorkflowContextLost, type WorkflowSessionDefinition, type WorkflowSessionEvent } from '@engine/machines';
import { KeyedLock } from './keyed-lock';
import { WorkflowContexts } from './workflow-contexts';
import { WorkflowFolders, assertFileName, assertWorkflowId } from './workflow-folders';
import { workflowView, type WorkflowView } from './workflow-view';

export interface WorkflowSessionsConfig {
  /** An unused workflow is closed after this long. Default 30 minutes. */
  idleMs: number;
  /** Largest accepted upload. Default 10 MiB. */
  maxUploadBytes: number;
  /** Most files one workflow may hold (each is listed in every event of its stream). Default 100. */
  maxFiles: number;
  /** How long create, reset and delete wait for the browser work before answering with the state so far. Default 30 s. */
  settleTimeoutMs: number;
  /**
   * A page handed out records a use at most this often: a caller that asks for the page at every
   * step must not write three events per step. Idle expiry is coarse by this much. Default 60 s.
   */
  pageTouchEveryMs: number;
  launchTimeoutMs: number;
  contextTimeoutMs: number;
}

export const DEFAULT_WORKFLOW_SESSIONS_CONFIG: WorkflowSessionsConfig = {
  idleMs: DEFAULT_WORKFLOW_IDLE_MS,
  maxUploadBytes: 10 * 1024 * 1024,
  maxFiles: 100,
  settleTimeoutMs: 30_000,
  pageTouchEveryMs: 60_000,
  launchTimeoutMs: 30_000,
  contextTimeoutMs: 10_000,
};

type WorkflowState = StateOf<WorkflowSessionDefinition>;

export interface WorkflowSessionsOptions {
  /** The host the workflows' commands go to; its read feed tells when the browser work settled. */
  host: ActorHost;
  browsers: BrowserHost;
  dataDir: string;
  clock: Clock;
  logger: Logger;
  ids?: IdGenerator;
  config?: Partial<WorkflowSessionsConfig>;
}

const PREFIX = WORKFLOW_SESSION_MACHINE.streamPrefix;

export class WorkflowUnavailableError extends EngineError {
  constructor(sid: string) {
    super('WORKFLOW_UNAVAILABLE', `workflow ${sid} could not get a browser context and was closed`, { details: { sid } });
  }
}
const streamOf = (sid: string) => `${PREFIX}${sid}`;

export class WorkflowSessions {
  readonly config: WorkflowSessionsConfig;
  private readonly folders: WorkflowFolders;
  private readonly contexts: WorkflowContexts;
  private readonly locks = new KeyedLock();
  private readonly ids: IdGenerator;

  constructor(private readonly options: WorkflowSessionsOptions) {
    this.config = { ...DEFAULT_WORKFLOW_SESSIONS_CONFIG, ...options.config };
    this.folders = new WorkflowFolders(options.dataDir);
    this.ids = options.ids ?? new RandomIdGenerator();
    this.contexts = new WorkflowContexts({
      browsers: options.browsers,
      launchTimeoutMs: this.config.launchTimeoutMs,
      contextTimeoutMs: this.config.contextTimeoutMs,
      onLost: (sids) => {
        this.options.logger.warn('workflow browser disconnected', { workflows: sids.length });
        for (const sid of sids) void this.reopen(sid, 'browser_crashed');
      },
    });
  }

  /**
   * Starts a workflow (with a generated sid when none is given) and waits until its context is
   * open; WorkflowUnavailableError when no browser context could be had (it was closed).
   */
  async create(sid?: string): Promise<WorkflowView> {
    const id = sid ?? this.ids.next();
    assertWorkflowId(id);
    try {
      await this.host().create(WORKFLOW_SESSION_MACHINE, id, { sid: id, idleMs: this.config.idleMs, at: this.now() });
    } catch (error) {
      // The log keeps every workflow's history, so a sid is never handed out twice.
      if (error instanceof VersionConflictError) throw new InvalidCommandError(streamOf(id), 'CREATE', 'exists', 'this sid is already in use');
      throw error;
    }
    return this.usable(this.view(await this.settle(id, (s) => s.value !== 'opening')));
  }

  /** A fresh empty context and an empty folder. 409 unless the workflow is active. */
  async reset(sid: string): Promise<WorkflowView> {
    await this.requireLive(sid);
    await this.host().send(streamOf(sid), { type: 'RESET', at: this.now() });
    return this.usable(this.view(await this.settle(sid, (s) => s.value !== 'resetting')));
  }

  /** Closes the context, removes the folder, ends the stream. */
  async delete(sid: string): Promise<WorkflowView> {
    await this.requireLive(sid);
    await this.host().send(streamOf(sid), { type: 'DELETE', at: this.now() });
    return this.view(await this.settle(sid, (s) => s.status !== 'active'));
  }

  /** Every workflow that is not closed, oldest first. */
  async list(): Promise<WorkflowView[]> {
    const views: WorkflowView[] = [];
    for (const entry of this.host().feed.allOf(WORKFLOW_SESSION_MACHINE)) if (entry.state.status === 'active') views.push(this.view(entry.state));
    return views.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.sid.localeCompare(b.sid));
  }

  async get(sid: string): Promise<WorkflowView> {
    return this.view(await this.requireLive(sid));
  }

  /**
   * Stores `bytes` as `name` in the workflow's folder and records it. The write and the record
   * happen under the workflow's lock, so a reset or delete cannot slip between them; a record
   * the state refuses (not active) takes the file back out.
   */
  async upload(sid: string, name: string, bytes: Uint8Array): Promise<WorkflowView> {
    assertWorkflowId(sid);
    assertFileName(name);
    if (bytes.byteLength > this.config.maxUploadBytes) {
      throw new ValidationError('file too large', { file: `at most ${this.config.maxUploadBytes} bytes` });
    }
    // Refused at once when not active (no waiting behind a reset's lock); checked again under the lock.
    await this.requireActive(sid, 'RECORD_UPLOAD');
    return this.locks.run(sid, async () => {
      const current = await this.requireActive(sid, 'RECORD_UPLOAD');
      const files = current.context.files;
      if (files.length >= this.config.maxFiles && !files.some((f) => f.name === name)) {
        throw new ValidationError('too many files', { file: `a workflow holds at most ${this.config.maxFiles} files` });
      }
      const pending = await this.folders.write(sid, name, bytes);
      try {
        await this.host().send(streamOf(sid), { type: 'RECORD_UPLOAD', name, size: bytes.byteLength, at: this.now() });
      } catch (error) {
        await pending.abandon();
        throw error;
      }
      await pending.commit();
      return this.view(await this.requireLive(sid));
    });
  }

  /** The workflow's own page, for callers that drive its browser; records the use (see `pageTouchEveryMs`). */
  async page(sid: string): Promise<Page> {
    const current = await this.requireActive(sid, 'TOUCH');
    const lastUsedAt = Date.parse(current.context.lastUsedAt);
    if (this.options.clock.now() - lastUsedAt >= this.config.pageTouchEveryMs) await this.touch(sid);
    return this.locks.run(sid, () => this.contexts.page(sid));
  }

  /** Records a use: the idle expiry starts over. */
  async touch(sid: string): Promise<void> {
    await this.requireLive(sid);
    await this.host().send(streamOf(sid), { type: 'TOUCH', at: this.now() });
  }

  /** The workflow's folder on disk (for callers that read its files or downloads). */
  folder(sid: string): string {
    return this.folders.folder(sid);
  }

  /** After the host restored the log: re-open contexts lost with the last process, sweep orphan folders. */
  async start(): Promise<void> {
    const host = this.host();
    try {
      host.definition(WORKFLOW_SESSION_MACHINE.id);
    } catch {
      return; // an engine that does not host workflows (audit tools) must not touch their folders
    }
    const live = [...host.feed.allOf(WORKFLOW_SESSION_MACHINE)].filter((entry) => entry.state.status === 'active');
    for (const entry of live) if (entry.state.value === 'active') await this.reopen(entry.state.context.sid, 'engine_restarted');
    const keep = new Set(live.map((entry) => entry.state.context.sid));
    for (const orphan of await this.folders.orphans(keep)) {
      this.options.logger.info('removing the folder of a closed workflow', { workflow: orphan });
      await this.folders.removeOrphan(orphan);
    }
  }

  /** Closes every context and the worker browser. Streams stay as they are: the next start re-opens them. */
  async close(): Promise<void> {
    await this.contexts.closeAll();
  }

  effects(): EffectHandlers<WorkflowSessionDefinition> {
    return {
      openWorkflowContext: {
        run: (p, ctx) =>
          this.locks.run(p.sid, async () => {
            await this.folders.ensure(p.sid);
            await this.contexts.open(p.sid, this.folders.downloads(p.sid), ctx.signal);
            return { type: 'CONTEXT_OPENED', at: this.now() } as const;
          }),
      },
      resetWorkflowContext: {
        run: (p, ctx) =>
          this.locks.run(p.sid, async () => {
            await this.contexts.close(p.sid);
            await this.folders.empty(p.sid);
            await this.contexts.open(p.sid, this.folders.downloads(p.sid), ctx.signal);
            return { type: 'CONTEXT_RESET', at: this.now() } as const;
          }),
      },
      closeWorkflowContext: {
        run: (p) =>
          this.locks.run(p.sid, async () => {
            await this.contexts.close(p.sid);
            await this.folders.remove(p.sid);
            return { type: 'CONTEXT_CLOSED' } as const;
          }),
      },
    };
  }

  /** A workflow whose context could not be (re)opened was closed by its machine: a fault of ours, not the caller's. */
  private usable(view: WorkflowView): WorkflowView {
    if (view.state === 'closing' || view.state === 'closed') throw new WorkflowUnavailableError(view.sid);
    return view;
  }

  private host(): ActorHost {
    return this.options.host;
  }

  private now(): string {
    return new Date(this.options.clock.now()).toISOString();
  }

  private view(state: WorkflowState): WorkflowView {
    return workflowView(state, this.options.clock.now());
  }

  /** The workflow's state; NotFoundError for a sid never used or a workflow already closed. */
  private async requireLive(sid: string): Promise<WorkflowState> {
    assertWorkflowId(sid);
    const current = this.host().feed.getOf(WORKFLOW_SESSION_MACHINE, sid);
    if (!current || current.state.status !== 'active') throw new NotFoundError('workflow', sid);
    return current.state;
  }

  private async requireActive(sid: string, command: string): Promise<WorkflowState> {
    const current = await this.requireLive(sid);
    if (current.value !== 'active') throw new InvalidCommandError(streamOf(sid), command, current.value);
    return current;
  }

  private async reopen(sid: string, reason: WorkflowContextLost['reason']): Promise<void> {
    const event: WorkflowSessionEvent = { type: 'REOPEN', reason, at: this.now() };
    await this.host()
      .send(streamOf(sid), event)
      .catch((error) => {
        // Already closing or re-opening: nothing to heal.
        if (!(error instanceof InvalidCommandError)) this.options.logger.error('workflow could not be re-opened', { workflow: sid, code: (error as { code?: string }).code });
      });
  }

  /** Waits, on the read feed, until the workflow's state satisfies `done`, or the settle timeout passes; returns the state either way. */
  private async settle(sid: string, done: (state: WorkflowState) => boolean): Promise<WorkflowState> {
    const feed = this.host().feed;
    const current = () => feed.getOf(WORKFLOW_SESSION_MACHINE, sid)?.state;
    // A bound on waiting for a browser, not a clock of the domain: real time on purpose.
    const bound = AbortSignal.timeout(this.config.settleTimeoutMs);
    try {
      await feed.waitFor(streamOf(sid), () => {
        const state = current();
        return state !== undefined && done(state);
      }, { signal: bound });
    } catch (error) {
      if (!bound.aborted) throw error;
    }
    const state = current();
    if (!state) throw new NotFoundError('workflow', sid);
    return state;
  }
}
