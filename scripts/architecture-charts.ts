// Redraws the machine statecharts in docs/ARCHITECTURE.md from the definitions:
//   npm run docs:charts
// test/docs/architecture.spec.ts fails when the document differs from what this writes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withCurrentCharts } from '@engine/machines';

const file = join(__dirname, '..', 'docs', 'ARCHITECTURE.md');
const before = readFileSync(file, 'utf8');
const after = withCurrentCharts(before);
if (after !== before) writeFileSync(file, after);
console.log(after === before ? 'docs/ARCHITECTURE.md: charts already current' : 'docs/ARCHITECTURE.md: charts redrawn');
