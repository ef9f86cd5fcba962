// libs/portals: the adapter loader (modules and declarative YAML/JSON portals), the captcha solvers
// and the portal simulator's adapter; the adapter kit's interfaces and helpers, re-exported.
export * from './adapter-loader';
export * from './captcha-solver-chain';
export * from './declarative/declarative-portal.adapter';
export * from './declarative/json-schema-to-zod';
export * from './declarative/load-portal-document';
export * from './declarative/portal-document';
export * from './declarative/portal-document-error';
export * from './declarative/scripted-steps';
export * from './errors';
export * from './fill-all';
export * from './http-captcha-solver';
export * from './manual-captcha-solver';
export * from './portal-sim/portal-sim-captcha-solver';
export * from './portal-sim/portal-sim.adapter';
export * from './portal-sim/portal-sim.payload';
export * from './portal-sim/portal-sim.samples';
export * from './portal-sim/portal-sim.selectors';
export { clickAndNavigate, currentPath, setField, type CaptchaChallenge, type CaptchaSolver, type Credentials, type FillOptions, type FindSubmissionResult, type PortalAdapter, type SubmitResult } from '@portal-engine/adapter-kit';
