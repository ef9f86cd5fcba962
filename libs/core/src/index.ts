export * from './errors';
export * from './recorded-event';
export * from './canonical-json';
export * from './hash-chain';
export * from './event-store';
export * from './clock';
export * from './id-generator';
