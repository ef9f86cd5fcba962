// The portal simulator's public surface: start it in-process, steer its faults, read its counters.
export { startPortalSim, type PortalSim } from './server';
export type { PortalSimOptions, PortalUser } from './options';
export type { FaultController, FaultPatch, Faults, RouteLatency, DuplicateTrap } from './faults';
export type { PortalSimStats } from './stats';
