// The statecharts of docs/ARCHITECTURE.md: each machine's Mermaid drawing between its markers
// `<!-- chart:<id>:start -->` and `<!-- chart:<id>:end -->`. Pure: text in, text out.
import { ENGINE_MACHINES } from './engine-machines';
import { mermaidStatechart } from './statechart-mermaid';

/** The document with every machine's chart redrawn from the current definitions. */
export function withCurrentCharts(document: string): string {
  let text = document;
  for (const def of ENGINE_MACHINES) {
    const start = `<!-- chart:${def.id}:start -->`;
    const end = `<!-- chart:${def.id}:end -->`;
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) throw new Error(`docs/ARCHITECTURE.md has no chart markers for machine ${def.id}`);
    text = `${text.slice(0, from + start.length)}\n\`\`\`mermaid\n${mermaidStatechart(def.machine)}\n\`\`\`\n${text.slice(to)}`;
  }
  return text;
}
