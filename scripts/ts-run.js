// Runs a TypeScript entry point directly (benchmarks, CLI, child processes of tests): each .ts
// file transpiled on its own (no type check: `tsc --noEmit` does that) with the options of
// tsconfig.json, plus the tsconfig path aliases. The aliases are the engine's own: a module
// outside this repository (a user's adapter project) resolves its packages the Node way first,
// so it gets the adapter kit it was built against, not the engine's source copy.
// Transpiled files are kept in a per-user cache folder in the system's temp folder, keyed by the
// file's path and text, TypeScript's version and the options: the test suite starts the server,
// the CLI and workers from source dozens of times, and transpiling the same few hundred files on
// each start took most of its start-up time. The cache is used only when that folder is this
// user's alone (mode 0700); TS_RUN_CACHE=off turns it off.
const Module = require('module');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const ts = require('typescript');

const root = path.join(__dirname, '..');
const tsconfig = path.join(root, 'tsconfig.json');
const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } });
// No outDir or rootDir: the source map then names the .ts file beside the output, which is where it runs from.
const compilerOptions = { ...parsed.options, outDir: undefined, rootDir: undefined, sourceMap: false, inlineSourceMap: true, inlineSources: true, declaration: false, noEmit: false };
const salt = `${ts.version}\0${JSON.stringify(compilerOptions)}\0`;
const cacheDir = privateCacheDir();

function privateCacheDir() {
  if (process.env.TS_RUN_CACHE === 'off' || typeof process.getuid !== 'function') return null;
  const dir = path.join(os.tmpdir(), `portal-engine-ts-run-${process.getuid()}`);
  try {
    fs.mkdirSync(dir, { mode: 0o700, recursive: true });
    const stat = fs.lstatSync(dir);
    // Someone else's folder, or one others may write to: code from it would run as this user.
    if (!stat.isDirectory() || stat.uid !== process.getuid() || (stat.mode & 0o077) !== 0) return null;
    return dir;
  } catch {
    return null;
  }
}

function transpile(source, filename) {
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
  return outputText;
}

function cachedTranspile(source, filename) {
  if (!cacheDir) return transpile(source, filename);
  const key = crypto.createHash('sha256').update(salt).update(filename).update('\0').update(source).digest('hex');
  const file = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    // Not cached yet.
  }
  const output = transpile(source, filename);
  try {
    // Written aside, then renamed: a concurrent start never reads half a file.
    const partial = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
    fs.writeFileSync(partial, output, { mode: 0o600 });
    fs.renameSync(partial, file);
  } catch {
    // A full or read-only temp folder costs the cache, not the run.
  }
  return output;
}

// Stack traces name the TypeScript lines (the output carries an inline source map).
process.setSourceMapsEnabled(true);
require.extensions['.ts'] = function compileTypeScript(module, filename) {
  module._compile(cachedTranspile(fs.readFileSync(filename, 'utf8'), filename), filename);
};

process.env.TS_NODE_PROJECT = tsconfig;
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
