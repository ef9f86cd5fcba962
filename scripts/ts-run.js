// Runs a TypeScript entry point directly (benchmarks, CLI, child processes of tests):
// transpile-only ts-node plus the tsconfig path aliases.
process.env.TS_NODE_TRANSPILE_ONLY = 'true';
process.env.TS_NODE_PROJECT = require('path').join(__dirname, '..', 'tsconfig.json');
require('ts-node/register/transpile-only');
require('tsconfig-paths/register');
