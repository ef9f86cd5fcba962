export * from './job-index';
export * from './job-index-projection';
export * from './memory-job-index';
export * from './sqlite-job-index';
export * from './postgres-job-index';
export * from './open-job-index';
