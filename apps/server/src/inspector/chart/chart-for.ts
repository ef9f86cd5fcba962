// The laid-out statechart of a machine definition, computed once per machine object: a
// definition never changes while the process runs, so the cache never goes stale.
import type { AnyStateMachine } from 'xstate';
import type { AnyMachineDefinition } from '@engine/core';
import { extractStatechart } from './statechart-graph';
import { layoutStatechart, type ChartLayout } from './statechart-layout';

const cache = new WeakMap<AnyStateMachine, ChartLayout>();

export function chartFor(def: AnyMachineDefinition): ChartLayout {
  let layout = cache.get(def.machine);
  if (!layout) cache.set(def.machine, (layout = layoutStatechart(extractStatechart(def.machine))));
  return layout;
}
