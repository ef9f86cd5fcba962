// Test support of the event stores, published under `@engine/event-store/testing`: throwaway
// PostgreSQL clusters, store fixtures and fault injection for other packages' tests.
export * from './postgres-cluster';
export * from './postgres-fixture';
export * from './postgres-commit-delay';
export * from './sqlite-fixture';
