// Scripted steps: the declarative portal step vocabulary (portal-document.ts) run on a page that
// belongs to no portal, such as a workflow session's own page. The steps are checked by the same
// schema (a `from` or `${payload.…}` must name a property of the values sent with them) and run
// by the same action runner; a step may also `extract` reads (the vocabulary's read spec) from
// the page it ends on. `${credentials.username}` and `${credentials.password}` fill from a login
// secret the caller resolves from a reference: the password is never handed back, an extracted
// value or error text holding it is withheld.
import type { Page } from 'puppeteer-core';
import { z, type ZodIssue } from 'zod';
import { EngineError, ValidationError } from '@engine/core';
import type { OperationScope } from '@engine/browser';
import type { Credentials } from '@portal-engine/adapter-kit';
import { expectUrl, runActions, type ActionContext } from './action-runner';
import type { SchemaShape } from './json-schema-to-zod';
import { pathAndQuery, readOnPage } from './page-reads';
import { stepVocabulary, type ReadSpec, type StepDefinition } from './portal-document';
import { formatDocumentPath } from './portal-document-error';

export const MAX_SCRIPTED_STEPS = 50;
const EXTRACT_KEY = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const WITHHELD = '[withheld]';

export interface ScriptedStep extends StepDefinition {
  /** Reads taken from the page once the step's actions are done, by the name they are answered under. */
  extract: Readonly<Record<string, ReadSpec>>;
}

export interface ScriptedSteps {
  /** Where relative `goto` URLs point; without it, the page's current origin. */
  origin?: string;
  values: Readonly<Record<string, unknown>>;
  credentialsRef?: string;
  timeoutMs?: number;
  steps: readonly ScriptedStep[];
}

export interface StepOutcome {
  index: number;
  name: string;
  /** Path and query of the page the step ended on. */
  page: string;
  extracted: Record<string, string>;
}

/** A step that failed: which one (index and name), the code of what went wrong, and the steps done before it. */
export class ScriptedStepFailedError extends EngineError {
  constructor(
    readonly step: { index: number; name: string; code: string; message: string },
    readonly completed: readonly StepOutcome[],
  ) {
    super('STEP_FAILED', `step ${step.index} (${step.name}) failed: ${step.code}`, { details: { step, completed } });
  }
}

/** The shape of values sent with steps, so `from` and `${payload.…}` are checked against what is there. */
export function shapeOfValue(value: unknown): SchemaShape {
  if (typeof value === 'string') return { type: 'string' };
  if (typeof value === 'number') return { type: 'number' };
  if (typeof value === 'boolean') return { type: 'boolean' };
  if (Array.isArray(value)) return { type: 'array' };
  const properties: Record<string, SchemaShape> = {};
  if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) properties[key] = shapeOfValue(item);
  return { type: 'object', properties };
}

const envelopeSchema = z
  .object({
    origin: z
      .string()
      .max(2048)
      .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'must be an http(s) URL')
      .transform((value) => new URL(value).origin)
      .optional(),
    values: z.record(z.unknown()).default({}),
    credentialsRef: z.string().min(1).max(256).regex(/^\S+$/, 'must not contain spaces').optional(),
    timeoutMs: z.number().int().min(1_000).max(300_000).optional(),
    steps: z.array(z.unknown()).min(1, 'at least one step').max(MAX_SCRIPTED_STEPS, `at most ${MAX_SCRIPTED_STEPS} steps`),
  })
  .strict();

/**
 * Checks a request of scripted steps: ValidationError with every problem by its path
 * (`steps[1].actions[0].fill.from`). `${credentials.*}` is only allowed with a `credentialsRef`.
 */
export function parseScriptedSteps(body: unknown): ScriptedSteps {
  const envelope = envelopeSchema.safeParse(body ?? {});
  if (!envelope.success) throw invalid(envelope.error.issues);
  const { values, credentialsRef } = envelope.data;
  const { step, readWithSelector } = stepVocabulary(shapeOfValue(values), credentialsRef ? ['payload', 'credentials'] : ['payload']);
  const scripted = step.extend({
    extract: z
      .record(readWithSelector)
      .superRefine((reads, ctx) => {
        for (const key of Object.keys(reads)) if (!EXTRACT_KEY.test(key)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message: 'an extract name is 1-64 of A-Z a-z 0-9 _ - starting with a letter or _' });
      })
      .default({}),
  });
  const steps = z
    .array(scripted)
    .superRefine((list, ctx) => {
      list.forEach((s, i) => {
        if (list.findIndex((other) => other.name === s.name) !== i) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i, 'name'], message: `step name ${s.name} is used twice` });
      });
    })
    .safeParse(envelope.data.steps);
  if (!steps.success) throw invalid(steps.error.issues.map((issue) => ({ ...issue, path: ['steps', ...issue.path] })));
  return { ...envelope.data, steps: steps.data };
}

export interface RunScriptedStepsOptions {
  /** Names the page's owner in errors (`workflow w1`). */
  label: string;
  scope: OperationScope;
  credentials?: Credentials;
}

/** Runs the steps in order on `page`; the first failure stops the run with ScriptedStepFailedError. */
export async function runScriptedSteps(page: Page, request: ScriptedSteps, options: RunScriptedStepsOptions): Promise<StepOutcome[]> {
  const secret = options.credentials?.password;
  const withhold = (text: string) => (secret && text.includes(secret) ? text.split(secret).join(WITHHELD) : text);
  const outcomes: StepOutcome[] = [];
  for (const [index, step] of request.steps.entries()) {
    try {
      const ctx: ActionContext = {
        portal: options.label,
        stage: step.name,
        origin: request.origin ?? pageOrigin(page),
        values: { payload: request.values, credentials: options.credentials },
        scope: options.scope,
      };
      if (step.expectUrl) await expectUrl(page, step.expectUrl, ctx);
      await runActions(page, step.actions, { ...ctx, rejected: step.rejected });
      const extracted: Record<string, string> = {};
      for (const [key, read] of Object.entries(step.extract)) {
        const value = await readOnPage(page, read);
        extracted[key] = secret && value.includes(secret) ? WITHHELD : value;
      }
      outcomes.push({ index, name: step.name, page: pathAndQuery(page.url()), extracted });
    } catch (error) {
      const code = error instanceof EngineError ? error.code : 'BROWSER_ERROR';
      const message = withhold(error instanceof Error ? error.message : String(error));
      throw new ScriptedStepFailedError({ index, name: step.name, code, message }, outcomes);
    }
  }
  return outcomes;
}

function pageOrigin(page: Page): string {
  const url = URL.canParse(page.url()) ? new URL(page.url()) : undefined;
  if (url && /^https?:$/.test(url.protocol)) return url.origin;
  throw new ValidationError('no origin for relative URLs', { origin: 'required while the page shows no http(s) document' });
}

function invalid(issues: readonly ZodIssue[]): ValidationError {
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => formatDocumentPath([...issue.path, key])) : [formatDocumentPath(issue.path)];
    for (const key of keys) fields[key] ??= issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
  }
  return new ValidationError('invalid steps', fields);
}
