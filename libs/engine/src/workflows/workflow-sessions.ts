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
//
// Generations: a deleted (closed) workflow's sid may be used again. Its streams keep their
// history: the first workflow of a sid is `workflow-<sid>`, the next ones `workflow-<sid>.<n>`
// (n = 2, 3, …; a dot no sid contains, so no two sids' streams can meet). The API id stays the
// sid; the machine's context holds the sid, so folder and browser context are the sid's. At most
// one generation of a sid is live at a time.
//
// Doing work: scripted steps (the declarative portal vocabulary, libs/portals scripted-steps),
// downloads fetched by the page and screenshots run on the workflow's own page under its lock,
// so a reset or delete waits for them; what they store is recorded like an upload, with its kind.
import type { Page } from 'puppeteer-core';
import {
  EngineError,
  InvalidCommandError,
  NotFoundError,
  RandomIdGenerator,
  SecretNotFoundError,
  ValidationError,
  VersionConflictError,
  type ActorHost,
  type Clock,
  type EffectHandlers,
  type IdGenerator,
  type Logger,
  type SecretProvider,
  type StateOf,
} from '@engine/core';
import { z } from 'zod/v4';
import { runOperation, type BrowserHost, type OperationScope } from '@engine/browser';
import { parseScriptedSteps, runScriptedSteps, type StepOutcome } from '@engine/portals';
import {
  DEFAULT_WORKFLOW_IDLE_MS,
  FILE_NAME_PATTERN,
  WORKFLOW_SESSION_MACHINE,
  isSafeFileName,
  type WorkflowContextLost,
  type WorkflowFileKind,
  type WorkflowSessionDefinition,
  type WorkflowSessionEvent,
} from '@engine/machines';
import { KeyedLock } from './keyed-lock';
import { downloadOnPage, downloadRequestSchema } from './page-download';
import { WorkflowContexts } from './workflow-contexts';
import { WorkflowFolders, assertFileName, assertWorkflowId } from './workflow-folders';
import { workflowFileView, workflowView, type WorkflowFileView, type WorkflowView } from './workflow-view';

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
  /** Largest file a download may fetch; a larger one is refused and nothing is written. Default 10 MiB. */
  maxDownloadBytes: number;
  /** How long a run of steps may take unless the request says less or more (up to 5 minutes). Default 60 s. */
  stepsTimeoutMs: number;
  /** How long one download or screenshot may take. Default 60 s. */
  pageWorkTimeoutMs: number;
}

export const DEFAULT_WORKFLOW_SESSIONS_CONFIG: WorkflowSessionsConfig = {
  idleMs: DEFAULT_WORKFLOW_IDLE_MS,
  maxUploadBytes: 10 * 1024 * 1024,
  maxFiles: 100,
  settleTimeoutMs: 30_000,
  pageTouchEveryMs: 60_000,
  launchTimeoutMs: 30_000,
  contextTimeoutMs: 10_000,
  maxDownloadBytes: 10 * 1024 * 1024,
  stepsTimeoutMs: 60_000,
  pageWorkTimeoutMs: 60_000,
};

/** What a run of scripted steps answers: each step done, with the values it extracted. */
export interface WorkflowStepsResult {
  sid: string;
  steps: StepOutcome[];
}

/** A stored file's bytes, for the API to send. */
export interface WorkflowFileContent extends WorkflowFileView {
  bytes: Buffer;
}

type WorkflowState = StateOf<WorkflowSessionDefinition>;

export interface WorkflowSessionsOptions {
  /** The host the workflows' commands go to; its read feed tells when the browser work settled. */
  host: ActorHost;
  browsers: BrowserHost;
  dataDir: string;
  clock: Clock;
  logger: Logger;
  /** Resolves the login secret a run of steps names by reference (`credentialsRef`). */
  secrets?: SecretProvider;
  ids?: IdGenerator;
  config?: Partial<WorkflowSessionsConfig>;
}

const PREFIX = WORKFLOW_SESSION_MACHINE.streamPrefix;

export class WorkflowUnavailableError extends EngineError {
  constructor(sid: string) {
    super('WORKFLOW_UNAVAILABLE', `workflow ${sid} could not get a browser context and was closed`, { details: { sid } });
  }
}
/** The actor id of a sid's generation `n`: the sid itself first, then `<sid>.<n>`. */
const actorOf = (sid: string, generation: number) => (generation === 1 ? sid : `${sid}.${generation}`);
const generationOf = (actorId: string) => {
  const dot = actorId.lastIndexOf('.');
  return dot === -1 ? 1 : Number(actorId.slice(dot + 1));
};
/** Bounds the search for a free generation of one sid (each one was a created and deleted workflow). */
const MAX_GENERATIONS = 100_000;

/** A workflow's live generation: its actor id (stream `workflow-<actor>`) and its state. */
interface LiveWorkflow {
  actor: string;
  stream: string;
  state: WorkflowState;
}

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
    const actor = await this.locks.run(`create:${id}`, () => this.createGeneration(id));
    return this.usable(this.view(await this.settle(actor, (s) => s.value !== 'opening')));
  }

  /**
   * Starts the sid's next generation: refused (409) while one is live; a closed one's stream stays
   * as it is (its log replays) and the new workflow gets the next stream name. A folder a failed
   * close left behind is removed first: the new workflow starts empty.
   */
  private async createGeneration(sid: string): Promise<string> {
    const latest = this.latest(sid);
    if (latest && latest.state.status === 'active') throw new InvalidCommandError(latest.stream, 'CREATE', String(latest.state.value), 'this sid is already in use');
    let generation = latest ? generationOf(latest.actor) + 1 : 1;
    if (latest) await this.locks.run(sid, () => this.folders.remove(sid));
    for (; generation <= MAX_GENERATIONS; generation++) {
      const actor = actorOf(sid, generation);
      try {
        await this.host().create(WORKFLOW_SESSION_MACHINE, actor, { sid, idleMs: this.config.idleMs, at: this.now() });
        return actor;
      } catch (error) {
        if (!(error instanceof VersionConflictError)) throw error;
        // Taken by a stream this process does not hold in its feed (archived): try the next one,
        // unless it is a live one another writer just created.
        const known = this.host().feed.getOf(WORKFLOW_SESSION_MACHINE, actor);
        if (known?.state.status === 'active') throw new InvalidCommandError(`${PREFIX}${actor}`, 'CREATE', String(known.state.value), 'this sid is already in use');
      }
    }
    throw new InvalidCommandError(`${PREFIX}${sid}`, 'CREATE', 'exhausted', 'this sid has been used too many times');
  }

  /** A fresh empty context and an empty folder. 409 unless the workflow is active. */
  async reset(sid: string): Promise<WorkflowView> {
    const live = await this.requireLive(sid);
    await this.host().send(live.stream, { type: 'RESET', at: this.now() });
    return this.usable(this.view(await this.settle(live.actor, (s) => s.value !== 'resetting')));
  }

  /** Closes the context, removes the folder, ends the stream. */
  async delete(sid: string): Promise<WorkflowView> {
    const live = await this.requireLive(sid);
    await this.host().send(live.stream, { type: 'DELETE', at: this.now() });
    return this.view(await this.settle(live.actor, (s) => s.status !== 'active'));
  }

  /** Every workflow that is not closed, oldest first. */
  async list(): Promise<WorkflowView[]> {
    const views: WorkflowView[] = [];
    for (const entry of this.host().feed.allOf(WORKFLOW_SESSION_MACHINE)) if (entry.state.status === 'active') views.push(this.view(entry.state));
    return views.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.sid.localeCompare(b.sid));
  }

  async get(sid: string): Promise<WorkflowView> {
    return this.view((await this.requireLive(sid)).state);
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
      this.checkRoom(await this.requireActive(sid, 'RECORD_UPLOAD'), name);
      await this.store(sid, name, bytes, 'upload');
      return this.view((await this.requireLive(sid)).state);
    });
  }

  /**
   * Runs scripted steps (the declarative portal step vocabulary) on the workflow's page and
   * answers each step's outcome with what it extracted. A bad request is refused before anything
   * runs (ValidationError); a failing step stops the run with ScriptedStepFailedError, which
   * names it. A `credentialsRef` is resolved here; its password reaches the page only.
   */
  async runSteps(sid: string, body: unknown): Promise<WorkflowStepsResult> {
    assertWorkflowId(sid);
    const request = parseScriptedSteps(body);
    await this.requireActive(sid, 'TOUCH');
    const credentials = request.credentialsRef ? await this.credentials(request.credentialsRef) : undefined;
    await this.touchIfDue(sid);
    const steps = await this.onPage(sid, 'workflow steps', request.timeoutMs ?? this.config.stepsTimeoutMs, (page, scope) =>
      runScriptedSteps(page, request, { label: `workflow ${sid}`, scope, credentials }),
    );
    return { sid, steps };
  }

  /**
   * The page fetches a file of its own origin (a URL, or a link's target) into the workflow's
   * folder. Above `maxDownloadBytes` it is refused (DownloadTooLargeError) and nothing is written.
   */
  async download(sid: string, body: unknown): Promise<WorkflowView> {
    assertWorkflowId(sid);
    const parsed = downloadRequestSchema.safeParse(body ?? {});
    if (!parsed.success) throw new ValidationError('invalid download', zodFields(parsed.error.issues));
    const request = parsed.data;
    this.checkRoom(await this.requireActive(sid, 'RECORD_UPLOAD'), request.name);
    await this.touchIfDue(sid);
    return this.onPage(sid, 'workflow download', this.config.pageWorkTimeoutMs, async (page, scope) => {
      this.checkRoom(await this.requireActive(sid, 'RECORD_UPLOAD'), request.name);
      const bytes = await downloadOnPage(page, request, this.config.maxDownloadBytes, scope);
      await this.store(sid, request.name, bytes, 'download');
      return this.view((await this.requireLive(sid)).state);
    });
  }

  /** A PNG of the workflow's page, stored in its folder as `name` (default `screenshot-<time>.png`). */
  async screenshot(sid: string, body: unknown): Promise<WorkflowView> {
    assertWorkflowId(sid);
    const parsed = screenshotRequestSchema.safeParse(body ?? {});
    if (!parsed.success) throw new ValidationError('invalid screenshot', zodFields(parsed.error.issues));
    const name = parsed.data.name ?? `screenshot-${this.now().replace(/[-:.]/g, '')}.png`;
    this.checkRoom(await this.requireActive(sid, 'RECORD_UPLOAD'), name);
    await this.touchIfDue(sid);
    return this.onPage(sid, 'workflow screenshot', this.config.pageWorkTimeoutMs, async (page, scope) => {
      this.checkRoom(await this.requireActive(sid, 'RECORD_UPLOAD'), name);
      const bytes = await scope.race(page.screenshot({ type: 'png', fullPage: parsed.data.fullPage ?? false }));
      await this.store(sid, name, bytes, 'screenshot');
      return this.view((await this.requireLive(sid)).state);
    });
  }

  /** The workflow's files: name, size, kind (upload, download, screenshot) and when they were stored. */
  async files(sid: string): Promise<WorkflowFileView[]> {
    return (await this.requireLive(sid)).state.context.files.map(workflowFileView);
  }

  /** One recorded file's bytes; NotFoundError for a name the workflow has not recorded. */
  async file(sid: string, name: string): Promise<WorkflowFileContent> {
    assertFileName(name);
    const live = await this.requireLive(sid);
    const file = live.state.context.files.find((f) => f.name === name);
    if (!file) throw new NotFoundError('file', name);
    return this.locks.run(sid, async () => {
      try {
        return { ...workflowFileView(file), bytes: await this.folders.read(sid, name) };
      } catch (error) {
        // Gone with a reset that came first, or not a plain file (a symlink is never followed).
        if (['ENOENT', 'ELOOP'].includes((error as NodeJS.ErrnoException).code ?? '')) throw new NotFoundError('file', name);
        throw error;
      }
    });
  }

  /** The workflow's own page, for callers that drive its browser; records the use (see `pageTouchEveryMs`). */
  async page(sid: string): Promise<Page> {
    await this.requireActive(sid, 'TOUCH');
    await this.touchIfDue(sid);
    return this.locks.run(sid, () => this.contexts.page(sid));
  }

  /** Records a use: the idle expiry starts over. */
  async touch(sid: string): Promise<void> {
    const live = await this.requireLive(sid);
    await this.host().send(live.stream, { type: 'TOUCH', at: this.now() });
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

  /** Records a use unless one was recorded less than `pageTouchEveryMs` ago. */
  private async touchIfDue(sid: string): Promise<void> {
    const { state } = await this.requireLive(sid);
    if (this.options.clock.now() - Date.parse(state.context.lastUsedAt) >= this.config.pageTouchEveryMs) await this.touch(sid);
  }

  /** Runs `work` on the workflow's page under its lock (a reset or delete waits), bounded by `timeoutMs`. */
  private onPage<T>(sid: string, name: string, timeoutMs: number, work: (page: Page, scope: OperationScope) => Promise<T>): Promise<T> {
    return this.locks.run(sid, async () => {
      await this.requireActive(sid, 'TOUCH');
      const page = await this.contexts.page(sid);
      return runOperation(name, { timeoutMs }, (scope) => work(page, scope));
    });
  }

  private checkRoom(state: WorkflowState, name: string): void {
    const files = state.context.files;
    if (files.length >= this.config.maxFiles && !files.some((f) => f.name === name)) {
      throw new ValidationError('too many files', { file: `a workflow holds at most ${this.config.maxFiles} files` });
    }
  }

  /** Writes the file beside its place and records it; a record the state refuses takes it back out. Call under the lock. */
  private async store(sid: string, name: string, bytes: Uint8Array, kind: WorkflowFileKind): Promise<void> {
    const live = await this.requireLive(sid);
    const pending = await this.folders.write(sid, name, bytes);
    try {
      const event: WorkflowSessionEvent = { type: 'RECORD_UPLOAD', name, size: bytes.byteLength, at: this.now(), ...(kind === 'upload' ? {} : { kind }) };
      await this.host().send(live.stream, event);
    } catch (error) {
      await pending.abandon();
      throw error;
    }
    await pending.commit();
  }

  private async credentials(ref: string): Promise<{ username: string; password: string }> {
    if (!this.options.secrets) throw new ValidationError('invalid steps', { credentialsRef: 'no secrets are configured' });
    try {
      return await this.options.secrets.resolve(ref);
    } catch (error) {
      if (error instanceof SecretNotFoundError) throw new ValidationError('invalid steps', { credentialsRef: 'no secret has this reference' });
      throw error;
    }
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

  /** The sid's newest generation, live or closed; undefined for a sid never used. */
  private latest(sid: string): LiveWorkflow | undefined {
    let found: LiveWorkflow | undefined;
    for (const entry of this.host().feed.allOf(WORKFLOW_SESSION_MACHINE)) {
      if (entry.state.context.sid !== sid) continue;
      const actor = entry.stream.slice(PREFIX.length);
      if (!found || generationOf(actor) > generationOf(found.actor)) found = { actor, stream: entry.stream, state: entry.state };
    }
    return found;
  }

  /** The workflow's live generation; NotFoundError for a sid never used or a workflow already closed. */
  private async requireLive(sid: string): Promise<LiveWorkflow> {
    assertWorkflowId(sid);
    const live = this.latest(sid);
    if (!live || live.state.status !== 'active') throw new NotFoundError('workflow', sid);
    return live;
  }

  private async requireActive(sid: string, command: string): Promise<WorkflowState> {
    const live = await this.requireLive(sid);
    if (live.state.value !== 'active') throw new InvalidCommandError(live.stream, command, String(live.state.value));
    return live.state;
  }

  private async reopen(sid: string, reason: WorkflowContextLost['reason']): Promise<void> {
    const event: WorkflowSessionEvent = { type: 'REOPEN', reason, at: this.now() };
    const live = this.latest(sid);
    if (!live || live.state.status !== 'active') return;
    await this.host()
      .send(live.stream, event)
      .catch((error) => {
        // Already closing or re-opening: nothing to heal.
        if (!(error instanceof InvalidCommandError)) this.options.logger.error('workflow could not be re-opened', { workflow: sid, code: (error as { code?: string }).code });
      });
  }

  /** Waits, on the read feed, until the generation's state satisfies `done`, or the settle timeout passes; returns the state either way. */
  private async settle(actor: string, done: (state: WorkflowState) => boolean): Promise<WorkflowState> {
    const feed = this.host().feed;
    const current = () => feed.getOf(WORKFLOW_SESSION_MACHINE, actor)?.state;
    // A bound on waiting for a browser, not a clock of the domain: real time on purpose.
    const bound = AbortSignal.timeout(this.config.settleTimeoutMs);
    try {
      await feed.waitFor(`${PREFIX}${actor}`, () => {
        const state = current();
        return state !== undefined && done(state);
      }, { signal: bound });
    } catch (error) {
      if (!bound.aborted) throw error;
    }
    const state = current();
    if (!state) throw new NotFoundError('workflow', actor);
    return state;
  }
}

export const screenshotRequestSchema = z
  .object({
    name: z.string().max(128).refine((name) => isSafeFileName(name) && name.endsWith('.png'), `must match ${FILE_NAME_PATTERN.source}, end in .png and not contain ..`).optional(),
    fullPage: z.boolean().optional(),
  })
  .strict();

function zodFields(issues: readonly z.core.$ZodIssue[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key].join('.')) : [issue.path.join('.') || '(root)'];
    for (const key of keys) fields[key] ??= issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
  }
  return fields;
}
