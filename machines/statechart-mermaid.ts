// A machine definition drawn as a Mermaid state diagram, straight from the XState state nodes:
// states (nested and parallel), initial and final states, every transition with its event and
// guard. docs/ARCHITECTURE.md embeds one per machine; a test regenerates them and fails when the
// document no longer matches the machines, so the drawing cannot drift from the code.
import type { AnyStateMachine } from 'xstate';

interface Node {
  id: string;
  key: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  states: Record<string, Node>;
  initial?: { target: readonly Node[] };
  transitions: Map<string, readonly Transition[]>;
  always?: readonly Transition[];
}

interface Transition {
  eventType: string;
  target?: readonly Node[];
  guard?: unknown;
}

export function mermaidStatechart(machine: AnyStateMachine): string {
  const root = machine.root as unknown as Node;
  const lines: string[] = ['stateDiagram-v2'];
  const ids = new Map<Node, string>();
  const idOf = (node: Node) => {
    let id = ids.get(node);
    if (!id) ids.set(node, (id = node.id.split('.').slice(1).join('__') || 'root'));
    return id;
  };
  const edges: string[] = [];
  const draw = (node: Node, indent: string) => {
    const children = Object.values(node.states);
    if (node.initial?.target[0] && node.type !== 'parallel') lines.push(`${indent}[*] --> ${idOf(node.initial.target[0])}`);
    children.forEach((child, index) => {
      const id = idOf(child);
      if (Object.keys(child.states).length === 0) {
        lines.push(`${indent}state "${child.key}" as ${id}`);
        if (child.type === 'final') lines.push(`${indent}${id} --> [*]`);
      } else {
        lines.push(`${indent}state "${child.key}${child.type === 'parallel' ? ' (parallel)' : ''}" as ${id} {`);
        draw(child, `${indent}  `);
        lines.push(`${indent}}`);
      }
      if (node.type === 'parallel' && index < children.length - 1) lines.push(`${indent}--`);
      for (const transition of [...child.transitions.values()].flat().concat(child.always ?? [])) {
        for (const target of transition.target ?? []) edges.push(`${id} --> ${idOf(target)} : ${label(transition)}`);
      }
    });
  };
  draw(root, '  ');
  for (const transition of [...root.transitions.values()].flat()) {
    for (const target of transition.target ?? []) edges.push(`root --> ${idOf(target)} : ${label(transition)}`);
  }
  return [...lines, ...edges.map((edge) => `  ${edge}`)].join('\n');
}

function label(transition: Transition): string {
  const event = transition.eventType === '' ? 'always' : transition.eventType;
  const guard = guardName(transition.guard);
  return guard ? `${event} [${guard}]` : event;
}

function guardName(guard: unknown): string | null {
  if (!guard) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    // and()/or()/not() keep the guards they combine on the function they return.
    const combined = (guard as { guards?: unknown[] }).guards;
    const op = { and: ' && ', or: ' || ', not: '!' }[guard.name];
    if (Array.isArray(combined) && op) return guard.name === 'not' ? `!${guardName(combined[0])}` : combined.map(guardName).join(op);
    return guard.name || 'guard';
  }
  if (typeof guard === 'object' && 'type' in guard && typeof guard.type === 'string') {
    const params = 'params' in guard && guard.params && typeof guard.params === 'object' ? Object.values(guard.params).map(String) : [];
    return params.length > 0 ? `${guard.type} ${params.join(' ')}` : guard.type;
  }
  return 'guard';
}
