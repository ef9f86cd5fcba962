// Loads portal adapters from module paths given in configuration, so a user adds a portal
// without forking the engine. A module exports `adapter` (or a default export) that is a
// PortalAdapter, or `createAdapter(options)` returning one. A `.yaml`, `.yml` or `.json` path is
// a declarative portal (docs/declarative-portals.md), built with the options. The shape is
// checked on load and any problem names the path (and, for a declarative file, where in it).
import { isAbsolute, resolve } from 'node:path';
import { assertPortalId } from '@engine/browser';
import { isDeclarativePortalFile, loadDeclarativePortal } from './declarative/load-portal-document';
import { AdapterLoadError } from './errors';
import type { PortalAdapter } from '@portal-engine/adapter-kit';

export interface AdapterModuleSpec {
  path: string;
  /** Passed to the module's `createAdapter(options)`, or filled into a declarative file's `${options.*}`. */
  options?: Record<string, unknown>;
}

const METHODS = ['businessKey', 'login', 'probe', 'fillStep', 'submit', 'findSubmission'] as const;

export function loadPortalAdapters(specs: ReadonlyArray<string | AdapterModuleSpec>, baseDir: string = process.cwd()): PortalAdapter[] {
  const adapters: PortalAdapter[] = [];
  for (const spec of specs) {
    const { path, options = {} } = typeof spec === 'string' ? { path: spec } : spec;
    const adapter = loadOne(isAbsolute(path) ? path : resolve(baseDir, path), options);
    if (adapters.some((a) => a.id === adapter.id)) throw new AdapterLoadError(path, `portal id ${adapter.id} is already taken by another adapter`);
    adapters.push(adapter);
  }
  return adapters;
}

function loadOne(path: string, options: Record<string, unknown>): PortalAdapter {
  if (isDeclarativePortalFile(path)) return loadDeclarativePortal(path, options);
  let exported: Record<string, unknown>;
  try {
    // Adapters are CommonJS modules (or TypeScript under scripts/ts-run.js), loaded by path once at start-up.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    exported = require(path) as Record<string, unknown>;
  } catch (error) {
    throw new AdapterLoadError(path, 'module could not be loaded', error);
  }
  let candidate: unknown = exported.adapter ?? exported.default;
  if (candidate === undefined && typeof exported.createAdapter === 'function') {
    try {
      candidate = (exported.createAdapter as (options: Record<string, unknown>) => unknown)(options);
    } catch (error) {
      throw new AdapterLoadError(path, 'createAdapter(options) threw', error);
    }
  }
  if (candidate === undefined) throw new AdapterLoadError(path, 'exports neither `adapter`, a default export nor `createAdapter`');
  return validate(path, candidate);
}

function validate(path: string, candidate: unknown): PortalAdapter {
  const problems: string[] = [];
  const a = (typeof candidate === 'object' && candidate !== null ? candidate : {}) as Record<string, unknown>;
  if (typeof a.id !== 'string' || !isPortalId(a.id)) problems.push('id must be lowercase letters, digits and dashes');
  if (typeof a.origin !== 'string' || !isOrigin(a.origin)) problems.push('origin must be an http(s) origin');
  const schema = a.payloadSchema as { safeParse?: unknown } | undefined;
  if (typeof schema?.safeParse !== 'function') problems.push('payloadSchema must be a zod schema');
  const selectors = a.selectors as Record<string, unknown> | undefined;
  problems.push(...selectorProblems(selectors));
  if (!Array.isArray(a.fillSteps) || a.fillSteps.length === 0 || !a.fillSteps.every((s) => typeof s === 'string')) problems.push('fillSteps must be a non-empty array of strings');
  for (const method of METHODS) if (typeof a[method] !== 'function') problems.push(`${method} must be a function`);
  const authority = a.authoritativeLookup as { settleMs?: unknown } | undefined;
  if (authority !== undefined && (typeof authority !== 'object' || authority === null || !Number.isInteger(authority.settleMs) || (authority.settleMs as number) < 0)) {
    problems.push('authoritativeLookup must be { settleMs: an integer >= 0 }');
  }
  if (problems.length > 0) throw new AdapterLoadError(path, `not a PortalAdapter: ${problems.join('; ')}`);
  return candidate as PortalAdapter;
}

/** Each side of the probe needs a selector, URL patterns, or both. */
function selectorProblems(selectors: Record<string, unknown> | undefined): string[] {
  if (typeof selectors !== 'object' || selectors === null) return ['selectors must be an object'];
  const problems: string[] = [];
  for (const key of ['loginForm', 'loggedIn']) if (selectors[key] !== undefined && typeof selectors[key] !== 'string') problems.push(`selectors.${key} must be a string`);
  for (const key of ['loginUrlPatterns', 'loggedInUrlPatterns']) if (selectors[key] !== undefined && !isRegExpList(selectors[key])) problems.push(`selectors.${key} must be an array of RegExp`);
  if (selectors.loginForm === undefined && !hasPatterns(selectors.loginUrlPatterns)) problems.push('selectors need a logged-out marker: loginForm, loginUrlPatterns or both');
  if (selectors.loggedIn === undefined && !hasPatterns(selectors.loggedInUrlPatterns)) problems.push('selectors need a logged-in marker: loggedIn, loggedInUrlPatterns or both');
  return problems;
}

function hasPatterns(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

function isPortalId(id: string): boolean {
  try {
    assertPortalId(id);
    return true;
  } catch {
    return false;
  }
}

function isOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === origin;
  } catch {
    return false;
  }
}

function isRegExpList(value: unknown): boolean {
  return Array.isArray(value) && value.every((p) => p instanceof RegExp);
}
