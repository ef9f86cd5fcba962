// The declarative portal document: its keys (docs/declarative-portals.md) as a zod schema that
// checks every value and turns the file into the definition the adapter runs. The schema is
// built around the payload's shape, so a `from` or `${payload.…}` that names no payload
// property is refused at load, with its path, instead of filling nothing at run time.
import { z, type RefinementCtx } from 'zod';
import { assertPortalId } from '@engine/browser';
import { shapeAtPath, type JsonSchemaType, type SchemaShape } from './json-schema-to-zod';
import { templateVariables, type RuntimeScope } from './template';

export interface Marker {
  selector?: string;
  url?: RegExp;
}

export interface ReadSpec {
  selector?: string;
  attribute?: string;
  pattern?: RegExp;
}

/** A value from the payload (`from`) or a template over payload, business key and options. */
export type ValueSource = { from: readonly string[] } | { template: string };

export type Action =
  | { kind: 'goto'; url: string }
  | { kind: 'fill'; selector: string; source: ValueSource }
  | { kind: 'select'; selector: string; source: ValueSource }
  | { kind: 'check'; selector: string; from: readonly string[] }
  | { kind: 'upload'; selector: string; from: readonly string[] }
  | { kind: 'click'; selector: string; navigates: boolean; expectUrl?: RegExp }
  | { kind: 'waitFor'; selector?: string; url?: RegExp };

export interface Rejection {
  status?: number;
  fields: { selector: string; attribute?: string };
}

export interface StepDefinition {
  name: string;
  expectUrl?: RegExp;
  actions: readonly Action[];
  rejected?: Rejection;
}

/** What a declarative portal file says, checked and compiled (regexes, payload paths). */
export interface PortalDefinition {
  id: string;
  origin: string;
  login: {
    url: string;
    fields: ReadonlyArray<{ selector: string; value: string }>;
    captcha?: { image: RegExp; answer: string; id?: ReadSpec };
    submit: string;
    failure?: { message?: string; captchaRejected?: RegExp; locked?: RegExp };
  };
  session: { probeUrl: string; loggedIn: Marker & { selector: string }; loggedOut: Marker & { selector: string } };
  businessKey: { value: string; upper: boolean };
  steps: readonly StepDefinition[];
  submit: { expectUrl?: RegExp; actions: readonly Action[]; success: Marker; reference: ReadSpec };
  lookup: { url: string; waitFor?: string; rows: string; key: ReadSpec; reference: ReadSpec; authoritative?: boolean; settleMs?: number };
}

const ACTION_KINDS = ['goto', 'fill', 'select', 'check', 'upload', 'click', 'waitFor'] as const;
const SCALARS: readonly JsonSchemaType[] = ['string', 'number', 'integer'];

/**
 * The step vocabulary (actions, steps, reads, markers) for a payload of this shape, with the
 * runtime scopes its templates may use. The portal document and workflow steps
 * (libs/engine/src/workflows) both build their schemas from these parts.
 */
export function stepVocabulary(payload: SchemaShape, runtime: readonly RuntimeScope[] = ['payload', 'businessKey']) {
  const text = z
    .string()
    .min(1, 'must not be empty')
    .refine((value) => !value.includes('${'), 'no ${…} substitution here');

  const regex = (flags: string) =>
    text.transform((source, ctx) => {
      try {
        return new RegExp(source, flags);
      } catch {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'not a valid regular expression' });
        return z.NEVER;
      }
    });
  const caseless = regex('i');
  const urlPattern = caseless;

  /** A template whose `${…}` may only use these runtime scopes (options are already filled in). */
  const template = (scopes: readonly RuntimeScope[]) =>
    z
      .string()
      .min(1, 'must not be empty')
      .superRefine((value, ctx) => {
        for (const { name, variable } of templateVariables(value)) {
          if (!variable) issue(ctx, `\${${name}} is not a known variable (options.*, payload.*, businessKey, credentials.*)`);
          else if (variable.scope === 'options') continue;
          else if (!scopes.includes(variable.scope)) issue(ctx, `\${${name}} is not available here`);
          else if (variable.scope === 'payload') checkPayloadPath(ctx, variable.path, SCALARS, 'a substitution');
        }
      });

  const checkPayloadPath = (ctx: RefinementCtx, path: readonly string[], types: readonly JsonSchemaType[], user: string) => {
    const shape = shapeAtPath(payload, path);
    if (!shape) issue(ctx, `payload has no property ${path.join('.')}`);
    else if (!types.includes(shape.type)) issue(ctx, `payload property ${path.join('.')} is ${shape.type}; ${user} needs ${types.join(' or ')}`);
  };

  const payloadPath = (types: readonly JsonSchemaType[], user: string) =>
    text.transform((value, ctx) => {
      const path = value.split('.');
      checkPayloadPath(ctx, path, types, user);
      return path;
    });

  const uploadPath = text.transform((value, ctx) => {
    const path = value.split('.');
    const shape = shapeAtPath(payload, path);
    const props = shape?.properties;
    if (!shape) issue(ctx, `payload has no property ${value}`);
    else if (props?.name?.type !== 'string' || props.base64?.type !== 'string') issue(ctx, `payload property ${value} must be an object with string properties name and base64`);
    return path;
  });

  const marker = z
    .object({ selector: text.optional(), url: urlPattern.optional() })
    .strict()
    .refine((m) => m.selector !== undefined || m.url !== undefined, 'a marker needs a selector, a url or both');
  const sessionMarker = z.object({ selector: text, url: urlPattern.optional() }).strict();
  const read = z.object({ selector: text.optional(), attribute: text.optional(), pattern: regex('').optional() }).strict();
  const readWithSelector = read.refine((r) => r.selector !== undefined, { message: 'selector is required', path: ['selector'] });

  const valueSource = (types: readonly JsonSchemaType[], user: string) =>
    z
      .object({ selector: text, from: payloadPath(types, user).optional(), value: template(runtime).optional() })
      .strict()
      .superRefine((spec, ctx) => {
        if ((spec.from === undefined) === (spec.value === undefined)) issue(ctx, 'exactly one of from and value');
      })
      .transform(({ selector, from, value }) => ({ selector, source: from ? { from } : { template: value ?? '' } }));

  const click = z.union([
    text.transform((selector) => ({ selector, navigates: false })),
    z
      .object({ selector: text, navigates: z.boolean().default(false), expectUrl: urlPattern.optional() })
      .strict()
      .refine((c) => c.expectUrl === undefined || c.navigates, { message: 'expectUrl needs navigates: true', path: ['expectUrl'] }),
  ]);

  const action = z
    .object({
      goto: template(runtime).optional(),
      fill: valueSource(SCALARS, 'fill').optional(),
      select: valueSource(SCALARS, 'select').optional(),
      check: z.object({ selector: text, from: payloadPath(['boolean'], 'check') }).strict().optional(),
      upload: z.object({ selector: text, from: uploadPath }).strict().optional(),
      click: click.optional(),
      waitFor: z
        .object({ selector: text.optional(), url: urlPattern.optional() })
        .strict()
        .refine((w) => (w.selector === undefined) !== (w.url === undefined), 'exactly one of selector and url')
        .optional(),
    })
    .strict()
    .superRefine((value, ctx) => {
      const kinds = ACTION_KINDS.filter((kind) => value[kind] !== undefined);
      if (kinds.length !== 1) issue(ctx, `an action has exactly one of ${ACTION_KINDS.join(', ')}${kinds.length ? ` (found ${kinds.join(', ')})` : ''}`);
    })
    .transform((value): Action => {
      if (value.goto !== undefined) return { kind: 'goto', url: value.goto };
      if (value.fill) return { kind: 'fill', ...value.fill };
      if (value.select) return { kind: 'select', ...value.select };
      if (value.check) return { kind: 'check', ...value.check };
      if (value.upload) return { kind: 'upload', ...value.upload };
      if (value.click) return { kind: 'click', ...value.click };
      return { kind: 'waitFor', ...value.waitFor };
    });
  const actions = z.array(action).min(1, 'at least one action');

  const step = z
    .object({
      name: text,
      expectUrl: urlPattern.optional(),
      actions,
      rejected: z
        .object({
          status: z.number().int().min(100).max(599).optional(),
          fields: z.object({ selector: text, attribute: text.optional() }).strict(),
        })
        .strict()
        .optional(),
    })
    .strict();

  return { text, caseless, urlPattern, template, marker, sessionMarker, read, readWithSelector, action, actions, step };
}

/** The document schema for a payload of this shape (the payload itself is converted separately). */
export function portalDocumentSchema(payload: SchemaShape) {
  const { text, caseless, urlPattern, template, marker, sessionMarker, read, readWithSelector, actions, step } = stepVocabulary(payload);
  return z
    .object({
      id: text.superRefine((id, ctx) => {
        try {
          assertPortalId(id);
        } catch {
          issue(ctx, 'lowercase letters, digits and dashes');
        }
      }),
      description: z.string().optional(),
      origin: text.transform((value, ctx) => {
        const url = URL.canParse(value) ? new URL(value) : undefined;
        if (url?.protocol === 'http:' || url?.protocol === 'https:') return url.origin;
        issue(ctx, 'must be an http(s) URL');
        return z.NEVER;
      }),
      login: z
        .object({
          url: text,
          fields: z
            .array(z.object({ selector: text, value: template(['credentials']) }).strict())
            .min(1, 'at least one field'),
          captcha: z.object({ image: urlPattern, answer: text, id: readWithSelector.optional() }).strict().optional(),
          submit: text,
          failure: z
            .object({ message: text.optional(), captchaRejected: caseless.optional(), locked: caseless.optional() })
            .strict()
            .optional(),
        })
        .strict(),
      session: z.object({ probeUrl: text, loggedIn: sessionMarker, loggedOut: sessionMarker }).strict(),
      payload: z.unknown(),
      businessKey: z.union([
        template(['payload']).transform((value) => ({ value, upper: false })),
        z.object({ value: template(['payload']), upper: z.boolean().default(false) }).strict(),
      ]),
      steps: z
        .array(step)
        .min(1, 'at least one step')
        .superRefine((steps, ctx) => {
          steps.forEach((s, i) => {
            if (steps.findIndex((other) => other.name === s.name) !== i) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i, 'name'], message: `step name ${s.name} is used twice` });
          });
        }),
      submit: z.object({ expectUrl: urlPattern.optional(), actions, success: marker, reference: readWithSelector }).strict(),
      lookup: z
        .object({
          url: template(['businessKey']),
          waitFor: text.optional(),
          rows: text,
          key: read,
          reference: read,
          authoritative: z.boolean().optional(),
          settleMs: z.number().int().min(0).max(600_000).optional(),
        })
        .strict()
        .refine((lookup) => lookup.settleMs === undefined || lookup.authoritative === true, { message: 'settleMs needs authoritative: true', path: ['settleMs'] }),
    })
    .strict()
    .transform(({ payload: _payload, description: _description, ...definition }): PortalDefinition => definition);
}

function issue(ctx: RefinementCtx, message: string): void {
  ctx.addIssue({ code: z.ZodIssueCode.custom, message });
}
