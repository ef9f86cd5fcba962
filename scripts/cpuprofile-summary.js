// Prints where a V8 CPU profile (.cpuprofile, from `node --cpu-prof` or bench/jobs.ts
// --cpu-profile) spent its time: the top functions and files by self time, as a share of the
// sampled time. Native calls (SQLite's statement run/all, hashing) appear under their own name.
//   node scripts/cpuprofile-summary.js FILE [TOP]
const { readFileSync } = require('node:fs');

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/cpuprofile-summary.js FILE [TOP]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));

const selfByNode = new Map();
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  // timeDeltas[i] is the gap before sample i, so sample i lasted until the next one.
  const us = profile.timeDeltas[i + 1] ?? 0;
  selfByNode.set(profile.samples[i], (selfByNode.get(profile.samples[i]) ?? 0) + us);
  total += us;
}

const where = (url) => url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'node_modules/').replace(`${process.cwd()}/`, '');
const byFunction = new Map();
const byFile = new Map();
for (const [id, us] of selfByNode) {
  const frame = nodes.get(id).callFrame;
  const fn = `${frame.functionName || '(anonymous)'}${frame.url ? ` ${where(frame.url)}:${frame.lineNumber + 1}` : ''}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  const source = frame.url ? where(frame.url) : frame.functionName || '(native)';
  byFile.set(source, (byFile.get(source) ?? 0) + us);
}

function print(title, table) {
  console.log(`\n${title} (of ${(total / 1000).toFixed(0)} ms sampled)`);
  for (const [name, us] of [...table].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
  }
}
print('self time by function', byFunction);
print('self time by file', byFile);
