// Shared by the benchmarks: a description of the machine, percentiles, and writing one
// section of BENCHMARKS.md (each bench owns its section and leaves the others alone).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export function machineInfo(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}`;
}

export function percentile(sortedAscending: readonly number[], p: number): number {
  if (sortedAscending.length === 0) return NaN;
  const index = Math.min(sortedAscending.length - 1, Math.max(0, Math.ceil((p / 100) * sortedAscending.length) - 1));
  return sortedAscending[index];
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

/** Replaces (or appends) the section whose heading is `## <title>`, keeping every other section. */
export function writeBenchmarkSection(title: string, body: string, file = join(__dirname, '..', 'BENCHMARKS.md')): void {
  const heading = `## ${title}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const section = `${heading}\n\n${body.trim()}\n`;
  const start = current.indexOf(`${heading}\n`);
  let next: string;
  if (start === -1) next = `${current.trimEnd()}\n\n${section}`;
  else {
    const end = current.indexOf('\n## ', start + heading.length);
    next = `${current.slice(0, start)}${section}${end === -1 ? '' : `\n${current.slice(end + 1)}`}`;
  }
  writeFileSync(file, next.endsWith('\n') ? next : `${next}\n`);
}

export function sectionHeader(command: string): string {
  return `Machine: ${machineInfo()}  \nDate: ${new Date().toISOString().slice(0, 10)}  \nCommand: \`${command}\``;
}
