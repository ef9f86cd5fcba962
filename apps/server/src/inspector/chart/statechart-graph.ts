// Reads the statechart out of an XState 5 machine definition: every state node (with its
// nesting and kind) and every transition (event, guard, targets). The inspector draws this
// graph, so what operators see is the machine the host runs, not a hand-drawn copy of it.
import type { AnyStateMachine } from 'xstate';

export type ChartNodeType = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

export interface ChartNode {
  /** Dotted path from the root (`recovering.soft.attempt`): the same path a state value spells. */
  path: string;
  key: string;
  /** Path of the parent node; '' for children of the root. */
  parent: string;
  type: ChartNodeType;
  /** The parent's initial child. */
  initial: boolean;
  children: string[];
}

export interface ChartEdge {
  source: string;
  target: string;
  /** The event type; `always` for eventless transitions. */
  event: string;
  /** The guard's name, when the transition has one. */
  guard: string | null;
}

export interface Statechart {
  machineId: string;
  /** Children of the root, in definition order. */
  roots: string[];
  nodes: ChartNode[];
  edges: ChartEdge[];
}

/** The parts of an XState StateNode this module reads (its public, documented shape). */
interface StateNodeLike {
  key: string;
  path: string[];
  type: ChartNodeType;
  states: Record<string, StateNodeLike>;
  initial?: { target: ReadonlyArray<{ path: string[] }> };
  transitions: Map<string, ReadonlyArray<TransitionLike>>;
  always?: ReadonlyArray<TransitionLike>;
}

interface TransitionLike {
  target?: ReadonlyArray<{ path: string[] }>;
  guard?: unknown;
}

export function extractStatechart(machine: AnyStateMachine): Statechart {
  const root = machine.root as unknown as StateNodeLike;
  const nodes: ChartNode[] = [];
  const edges: ChartEdge[] = [];
  const visit = (node: StateNodeLike, parent: string, initialKey: string | undefined) => {
    const path = node.path.join('.');
    const children = Object.values(node.states);
    const childInitial = node.initial?.target[0]?.path.at(-1);
    nodes.push({ path, key: node.key, parent, type: node.type, initial: node.key === initialKey, children: children.map((c) => c.path.join('.')) });
    for (const [event, transitions] of node.transitions) addEdges(edges, path, event, transitions);
    addEdges(edges, path, 'always', node.always ?? []);
    for (const child of children) visit(child, path, childInitial);
  };
  const rootInitial = root.initial?.target[0]?.path.at(-1);
  for (const child of Object.values(root.states)) visit(child, '', rootInitial);
  return { machineId: machine.id, roots: Object.values(root.states).map((c) => c.path.join('.')), nodes, edges };
}

/** Targetless transitions change no state (they only run actions), so they draw no arrow. */
function addEdges(edges: ChartEdge[], source: string, event: string, transitions: ReadonlyArray<TransitionLike>): void {
  for (const transition of transitions) {
    for (const target of transition.target ?? []) {
      edges.push({ source, target: target.path.join('.'), event, guard: guardName(transition.guard) });
    }
  }
}

function guardName(guard: unknown): string | null {
  if (guard === undefined || guard === null) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') return guard.name || 'guard';
  if (typeof guard === 'object' && typeof (guard as { type?: unknown }).type === 'string') return (guard as { type: string }).type;
  return 'guard';
}

/** The leaf paths a state value is in: `{ recovering: { soft: 'attempt' } }` → [`recovering.soft.attempt`]. */
export function activeLeafPaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix ? `${prefix}.${value}` : value];
  if (value === null || typeof value !== 'object') return [];
  const leaves: string[] = [];
  for (const [key, inner] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const below = activeLeafPaths(inner, path);
    leaves.push(...(below.length > 0 ? below : [path]));
  }
  return leaves;
}

/** Human-readable state: leaf paths joined, e.g. `critical.alert.sending, critical.watch.waiting`. */
export function stateLabel(value: unknown): string {
  return activeLeafPaths(value).join(', ');
}
