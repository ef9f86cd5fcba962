// libs/portals: the PortalAdapter interface, the CaptchaSolver port, the adapter plugin loader
// and the portal simulator's adapter.
export * from './adapter-loader';
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
