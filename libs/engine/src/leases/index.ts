export * from './lease-view';
export * from './session-leases';
