// Runs a TypeScript entry point directly (benchmarks, CLI, child processes of tests):
// transpile-only ts-node plus the tsconfig path aliases. The aliases are the engine's own: a
// module outside this repository (a user's adapter project) resolves its packages the Node
// way first, so it gets the adapter kit it was built against, not the engine's source copy.
const Module = require('module');
const path = require('path');

const root = path.join(__dirname, '..');
process.env.TS_NODE_TRANSPILE_ONLY = 'true';
process.env.TS_NODE_PROJECT = path.join(root, 'tsconfig.json');
require('ts-node/register/transpile-only');
const nodeResolve = Module._resolveFilename;
require('tsconfig-paths/register');
const aliasResolve = Module._resolveFilename;

Module._resolveFilename = function resolveFilename(request, parent, ...rest) {
  const from = parent && parent.filename;
  const outside = typeof from === 'string' && (!from.startsWith(root + path.sep) || from.includes(`${path.sep}node_modules${path.sep}`));
  if (outside) {
    try {
      return nodeResolve.call(this, request, parent, ...rest);
    } catch {
      // Not installed there: the engine's alias may still know it.
    }
  }
  return aliasResolve.call(this, request, parent, ...rest);
};
