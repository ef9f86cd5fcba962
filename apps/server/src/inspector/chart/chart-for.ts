// The laid-out statechart of a machine definition, computed once per machine object and set of
// collapsed states: a definition never changes while the process runs, so the cache never goes
// stale. The collapsed sets an operator can ask for are bounded per machine (the oldest layout
// is dropped past MAX_LAYOUTS_PER_MACHINE); the fully expanded one is kept like any other.
import type { AnyStateMachine } from 'xstate';
import type { AnyMachineDefinition } from '@engine/core';
import { extractStatechart, type Statechart } from './statechart-graph';
import { layoutStatechart, type ChartLayout } from './statechart-layout';

const MAX_LAYOUTS_PER_MACHINE = 32;

interface MachineCharts {
  chart: Statechart;
  layouts: Map<string, Promise<ChartLayout>>;
}

const cache = new WeakMap<AnyStateMachine, MachineCharts>();

export function statechartFor(def: AnyMachineDefinition): Statechart {
  return machineCharts(def).chart;
}

/** `collapsed` must name compound states of the machine (the caller validates). */
export function chartFor(def: AnyMachineDefinition, collapsed: readonly string[] = []): Promise<ChartLayout> {
  const entry = machineCharts(def);
  const key = [...new Set(collapsed)].sort().join(',');
  let layout = entry.layouts.get(key);
  if (!layout) {
    if (entry.layouts.size >= MAX_LAYOUTS_PER_MACHINE) entry.layouts.delete(entry.layouts.keys().next().value as string);
    layout = layoutStatechart(entry.chart, key ? key.split(',') : []);
    entry.layouts.set(key, layout);
    // A failed layout is not remembered: the next request tries again.
    const pending = layout;
    pending.catch(() => {
      if (entry.layouts.get(key) === pending) entry.layouts.delete(key);
    });
  }
  return layout;
}

function machineCharts(def: AnyMachineDefinition): MachineCharts {
  let entry = cache.get(def.machine);
  if (!entry) cache.set(def.machine, (entry = { chart: extractStatechart(def.machine), layouts: new Map() }));
  return entry;
}
