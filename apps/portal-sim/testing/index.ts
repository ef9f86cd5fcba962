// Test support published by the portal simulator under `@engine/portal-sim/testing`: what
// other packages' tests may know about it beyond its public surface (how a person logs in, its
// vehicle catalogue). Other packages import this, never the simulator's source files.
export * from './portal-sim-login';
export { findModel } from '../src/proposal/catalog';
