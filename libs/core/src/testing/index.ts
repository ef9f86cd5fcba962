export * from './machine-spec';
