export * from './actor-state';
export * from './machine-definition';
export * from './host-events';
export * from './effects';
export * from './step';
export * from './actor-host';
export * from './replay';
export * from './audit';
