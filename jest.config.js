// Three tiers by suffix (shared/CONVENTIONS.md): *.spec.ts unit, *.int.spec.ts one real
// dependency, *.e2e.spec.ts whole system. All run in `npm test`; none is ever skipped.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  moduleFileExtensions: ['ts', 'js', 'json'],
  roots: ['apps', 'libs', 'machines', 'packages', 'test'].filter((dir) => existsSync(join(__dirname, dir))).map((dir) => `<rootDir>/${dir}`),
};

module.exports = {
  // Per-project testTimeout is ignored by jest 30, so one generous bound for all: browser and
  // database tests on a loaded 2-core machine take seconds; unit tests finish in milliseconds.
  testTimeout: 120000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['**/*.spec.ts'], testPathIgnorePatterns: ['\\.int\\.spec\\.ts$', '\\.e2e\\.spec\\.ts$', '/node_modules/'] },
    { ...shared, displayName: 'int', testMatch: ['**/*.int.spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['**/*.e2e.spec.ts'] },
  ],
};
