// The long chaos run (issue 7): 500 jobs, the engine SIGKILLed and restarted 10 times, every
// other fault of test/chaos on as well. Not run in CI. Checks the same promises as the test
// (every job final, no duplicate on the portal, every portal submission owned by a submitted
// or reviewed job), prints the report and writes it to BENCHMARKS.md.
//   node -r ./scripts/ts-run.js bench/chaos.ts [--jobs N] [--kills N] [--seed N]
import { chaosReport } from '../test/chaos/chaos-report';
import { runChaos } from '../test/chaos/chaos-run';
import { sectionHeader, writeBenchmarkSection } from './report';

const SECTION = 'Chaos, long run (bench/chaos.ts)';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index < 0 ? undefined : process.argv[index + 1];
}

async function main(): Promise<void> {
  const jobs = Number(argument('--jobs') ?? 500);
  const kills = Number(argument('--kills') ?? 10);
  const seed = Number(argument('--seed') ?? 20260710);
  const result = await runChaos({ jobs, engineKills: kills, seed, deadlineMs: 3 * 3_600_000, log: (line) => console.log(`[chaos] ${line}`) });
  const report = chaosReport(result);
  console.log(report);

  const byKey = new Map(result.jobs.map((job) => [job.businessKey, job]));
  const problems: string[] = [];
  const unfinished = result.jobs.filter((job) => !job.final).length;
  if (result.jobs.length !== jobs || unfinished > 0) problems.push(`${unfinished} of ${result.jobs.length} jobs not final`);
  if (result.sim.duplicates > 0) problems.push(`${result.sim.duplicates} business keys submitted more than once`);
  for (const key of Object.keys(result.sim.submissions)) {
    const job = byKey.get(key);
    if (!job || !(job.state === 'submitted' || (job.state === 'needs_review' && job.failures.some((f) => f.failureType === 'lookup_failed')))) {
      problems.push(`portal submission ${key} belongs to ${job ? `a job in ${job.state}` : 'no job'}`);
    }
  }
  if (result.leftoverProcesses.length > 0) problems.push(`${result.leftoverProcesses.length} processes left behind`);
  const verdict = problems.length === 0 ? 'All checks passed: every job final, no duplicate submission, every portal submission owned by a submitted (or reviewed) job, no process left.' : `**Checks failed**: ${problems.join('; ')}.`;
  console.log(verdict);

  writeBenchmarkSection(
    SECTION,
    [
      sectionHeader(`node -r ./scripts/ts-run.js bench/chaos.ts --jobs ${jobs} --kills ${kills} --seed ${seed}`),
      '',
      `${jobs} jobs through the engine server (a child process on SQLite, started again after each SIGKILL on the same data folder), the portal simulator in the bench process. Same faults and checks as test/chaos (200 jobs, 5 kills).`,
      '',
      report,
      '',
      verdict,
    ].join('\n'),
  );
  if (problems.length > 0) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
