// libs/browser: system Chromium through puppeteer-core, session cloning, session probes and
// failure artifacts. Nothing else in the engine imports puppeteer directly.
export * from './artifact-names';
export * from './artifact-store';
export * from './browser-host';
export * from './browser-settings';
export * from './chromium-flags';
export * from './chromium-path';
export * from './console-errors';
export * from './devtools-endpoint';
export * from './errors';
export * from './failure-capture';
export * from './local-artifact-store';
export * from './managed-browser';
export * from './portal-id';
export * from './process-tree';
export * from './profile-copy';
export * from './profile-store';
export * from './s3-artifact-store';
export * from './safe-path';
export * from './session-cloner';
export * from './session-state';
// Moved to the adapter kit (adapters need them); the engine reaches them here too.
export { probeSession, runOperation, type OperationOptions, type OperationScope, type ProbeEvidence, type ProbeOptions, type ProbeResult, type ProbeSelectors, type ProbeStatus } from '@portal-engine/adapter-kit';
