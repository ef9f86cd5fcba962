// @portal-engine/adapter-kit: everything a portal adapter is written against. The engine uses
// this package under the same name, so an adapter built in another project and the engine
// agree on the interface, the error codes and the helpers.
export * from './captcha-solver';
export * from './errors';
export * from './operation';
export * from './page-actions';
export * from './portal-adapter';
export * from './session-probe';
// The schema library payloadSchema is written in, at the version the engine validates with.
export { z, type ZodType, type ZodTypeDef } from 'zod';
// The page type every adapter method receives.
export type { ElementHandle, HTTPRequest, HTTPResponse, Page } from 'puppeteer-core';
