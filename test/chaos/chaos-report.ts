// The chaos run's report: jobs per final state, failure types seen on the way, the faults
// injected and the portal's own count of submissions. Printed by the test, written to
// BENCHMARKS.md by bench/chaos.ts.
import type { ChaosResult } from './chaos-run';

export function chaosReport(result: ChaosResult): string {
  const lines: string[] = [];
  lines.push('| final state | jobs |', '| --- | ---: |');
  for (const [state, count] of Object.entries(result.byState).sort(([a], [b]) => a.localeCompare(b))) lines.push(`| ${state} | ${count} |`);
  lines.push(`| **total** | ${result.jobs.length} |`, '');
  const failureTypes: Record<string, number> = {};
  for (const job of result.jobs) for (const f of job.failures) failureTypes[f.failureType] = (failureTypes[f.failureType] ?? 0) + 1;
  const retried = result.jobs.filter((job) => job.attempts > 1).length;
  lines.push(`Failures recorded on the way (by type): ${Object.entries(failureTypes).sort().map(([t, n]) => `${t} ${n}`).join(', ') || 'none'}; jobs retried with a fresh clone: ${retried}.`);
  const { injected: i, sim } = result;
  lines.push(
    `Faults injected: ${i.engineKills} engine SIGKILLs (${result.engineStarts} starts), ${i.chromiumKills} Chromium SIGKILLs, ${i.sessionKills} portal session kills, ` +
      `${i.duplicateTraps.error} duplicate traps 'error' and ${i.duplicateTraps.hang} 'hang', 5 % HTTP 500 on /Proposal/*; ` +
      `Chromium outliving a killed engine: ${i.orphanedChromium}.`,
  );
  const total = Object.values(sim.submissions).reduce((sum, n) => sum + n, 0);
  lines.push(`Portal: ${total} submissions of ${Object.keys(sim.submissions).length} business keys, duplicates ${sim.duplicates}, extra submissions ${sim.extraSubmissions}.`);
  lines.push(`Run time: ${(result.elapsedMs / 1000).toFixed(0)} s.`);
  return lines.join('\n');
}
