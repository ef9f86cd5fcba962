export * from './engine';
export * from './machines';
export * from './alerts';
