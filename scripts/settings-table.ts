// Rewrites the settings table in README.md from the settings schema:
//   npm run docs:settings
// test/docs/settings-table.spec.ts fails when the README differs from what this writes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withCurrentSettingsTable } from '../apps/server/src/settings/settings-table';

const file = join(__dirname, '..', 'README.md');
const before = readFileSync(file, 'utf8');
const after = withCurrentSettingsTable(before);
if (after !== before) writeFileSync(file, after);
console.log(after === before ? 'README.md: settings table already current' : 'README.md: settings table rewritten');
