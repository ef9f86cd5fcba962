// docs/ARCHITECTURE.md draws every machine from its definition; when a machine changes and the
// drawing was not redrawn (`npm run docs:charts`), this fails and names the machine.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINE_MACHINES, withCurrentCharts } from '@engine/machines';

const file = join(__dirname, '..', '..', 'docs', 'ARCHITECTURE.md');

describe('docs/ARCHITECTURE.md', () => {
  const document = readFileSync(file, 'utf8');
  const current = withCurrentCharts(document);

  it.each(ENGINE_MACHINES.map((def) => def.id))('draws the %s machine as it is defined now (run `npm run docs:charts` after changing it)', (id) => {
    const chart = (text: string) => text.slice(text.indexOf(`<!-- chart:${id}:start -->`), text.indexOf(`<!-- chart:${id}:end -->`));
    expect(chart(document)).toBe(chart(current));
    expect(chart(document)).toContain('stateDiagram-v2');
  });

  it('holds nothing but what the generator writes between the chart markers', () => {
    expect(document).toBe(current);
  });
});
