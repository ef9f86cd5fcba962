// Test support of the machines, published under `@engine/machines/testing`: the fixtures their
// specifications use (inputs, event builders) and the fake master-session effects, for the
// tests of other packages that drive these machines. Not part of the product.
export { jobInput, STEPS as JOB_STEPS, ev as jobEv, toSubmitting } from '../job/job.fixtures';
export { INPUT as MASTER_INPUT, TO_READY, ev as masterEv } from '../master-session/master-session.fixtures';
export * from '../master-session/master-session.fake-effects';
