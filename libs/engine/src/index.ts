export * from './engine';
export * from './machines';
