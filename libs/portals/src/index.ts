// libs/portals: the PortalAdapter interface, the CaptchaSolver port, the adapter plugin loader,
// declarative portals and the portal simulator's adapter.
export * from './adapter-loader';
export * from './declarative/declarative-portal.adapter';
export * from './declarative/json-schema-to-zod';
export * from './declarative/load-portal-document';
export * from './declarative/portal-document';
export * from './declarative/portal-document-error';
export * from './captcha-solver';
export * from './errors';
export * from './fill-all';
export * from './manual-captcha-solver';
export * from './page-actions';
export * from './portal-adapter';
export * from './portal-sim/portal-sim-captcha-solver';
export * from './portal-sim/portal-sim.adapter';
export * from './portal-sim/portal-sim.payload';
export * from './portal-sim/portal-sim.samples';
export * from './portal-sim/portal-sim.selectors';
