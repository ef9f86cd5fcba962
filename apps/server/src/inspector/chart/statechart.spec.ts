import { createMachine } from 'xstate';
import { JOB_MACHINE } from '@engine/machines';
import { MASTER_SESSION_MACHINE } from '@engine/machines';
import { activeLeafPaths, extractStatechart, stateLabel } from './statechart-graph';
import { layoutStatechart, type LaidOutNode } from './statechart-layout';

const nested = createMachine({
  id: 'nested',
  initial: 'idle',
  states: {
    idle: { on: { GO: { target: 'busy', guard: 'ready' }, PING: { actions: () => undefined } } },
    busy: {
      initial: 'one',
      states: { one: { on: { NEXT: 'two' } }, two: { on: { NEXT: 'one', DONE: '#nested.done' } } },
      on: { ABORT: 'idle' },
    },
    both: { type: 'parallel', states: { left: { initial: 'a', states: { a: {} } }, right: { initial: 'b', states: { b: {} } } } },
    done: { type: 'final', always: 'done' },
  },
});

const inside = (child: LaidOutNode, parent: LaidOutNode) =>
  child.x >= parent.x && child.y >= parent.y && child.x + child.width <= parent.x + parent.width && child.y + child.height <= parent.y + parent.height;
const overlap = (a: LaidOutNode, b: LaidOutNode) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('statechart extraction', () => {
  it('reads nesting, kinds, initial children and every targeted transition with its guard', () => {
    const chart = extractStatechart(nested);
    expect(chart.roots).toEqual(['idle', 'busy', 'both', 'done']);
    const node = (path: string) => chart.nodes.find((n) => n.path === path);
    expect(node('busy')).toMatchObject({ type: 'compound', children: ['busy.one', 'busy.two'], initial: false });
    expect(node('idle')?.initial).toBe(true);
    expect(node('busy.one')).toMatchObject({ parent: 'busy', initial: true, type: 'atomic' });
    expect(node('both')?.type).toBe('parallel');
    expect(node('done')?.type).toBe('final');
    expect(chart.edges).toEqual(
      expect.arrayContaining([
        { source: 'idle', target: 'busy', event: 'GO', guard: 'ready' },
        { source: 'busy.two', target: 'done', event: 'DONE', guard: null },
        { source: 'busy', target: 'idle', event: 'ABORT', guard: null },
        { source: 'done', target: 'done', event: 'always', guard: null },
      ]),
    );
    // PING has no target: it changes no state and draws no arrow.
    expect(chart.edges.some((e) => e.event === 'PING')).toBe(false);
  });

  it('finds every state and transition of the job machine', () => {
    const chart = extractStatechart(JOB_MACHINE.machine);
    expect(chart.nodes.map((n) => n.path)).toEqual(expect.arrayContaining(['pending', 'cloning', 'submitting', 'in_doubt', 'submitted', 'failed_post_submission']));
    expect(chart.edges).toContainEqual({ source: 'submitting', target: 'submitted', event: 'SUBMITTED', guard: null });
    expect(chart.edges).toContainEqual({ source: 'pending', target: 'cloning', event: 'START', guard: 'attemptsLeft' });
  });

  it('turns state values into leaf paths, including nested and parallel values', () => {
    expect(activeLeafPaths('ready')).toEqual(['ready']);
    expect(activeLeafPaths({ recovering: { soft: { attempt: 'relogin' } } })).toEqual(['recovering.soft.attempt.relogin']);
    expect(stateLabel({ critical: { alert: 'sending', watch: 'waiting' } })).toBe('critical.alert.sending, critical.watch.waiting');
  });
});

describe('statechart layout', () => {
  for (const [name, machine] of [
    ['nested', nested],
    ['job', JOB_MACHINE.machine],
    ['master-session', MASTER_SESSION_MACHINE.machine],
  ] as const) {
    it(`${name}: every child inside its parent, no siblings overlapping, everything inside the canvas`, () => {
      const chart = extractStatechart(machine);
      const layout = layoutStatechart(chart);
      const byPath = new Map(layout.nodes.map((n) => [n.path, n]));
      expect(layout.nodes).toHaveLength(chart.nodes.length);
      for (const node of chart.nodes) {
        const box = byPath.get(node.path) as LaidOutNode;
        if (node.parent) expect(inside(box, byPath.get(node.parent) as LaidOutNode)).toBe(true);
        for (const sibling of node.children.map((c) => byPath.get(c) as LaidOutNode)) {
          for (const other of node.children.map((c) => byPath.get(c) as LaidOutNode)) {
            if (sibling !== other) expect(overlap(sibling, other)).toBe(false);
          }
        }
        expect(box.x + box.width).toBeLessThanOrEqual(layout.width);
        expect(box.y + box.height).toBeLessThanOrEqual(layout.height);
        expect(box.x).toBeGreaterThanOrEqual(0);
      }
      const pairs = new Set(chart.edges.map((e) => `${e.source}>${e.target}`));
      expect(layout.edges).toHaveLength(pairs.size);
      for (const edge of layout.edges) expect(edge.d).toMatch(/^M[\d.-]+,[\d.-]+ C/);
    });
  }

  it('puts the initial state in the first column and a forward transition to its right', () => {
    const layout = layoutStatechart(extractStatechart(JOB_MACHINE.machine));
    const box = (p: string) => layout.nodes.find((n) => n.path === p) as LaidOutNode;
    const firstColumn = Math.min(...layout.nodes.map((n) => n.x));
    expect(box('pending').x).toBe(firstColumn);
    expect(box('cloning').x).toBeGreaterThan(box('pending').x + box('pending').width);
    expect(box('submitted').x).toBeGreaterThan(box('submitting').x);
  });

  it('merges transitions between the same two states into one arrow with every event', () => {
    const layout = layoutStatechart(extractStatechart(JOB_MACHINE.machine));
    const edge = layout.edges.find((e) => e.source === 'cloning' && e.target === 'waiting');
    expect(edge?.labels.map((l) => l.event).sort()).toEqual(['CLONE_FAILED', 'EFFECT_FAILED']);
  });

  it('places parallel regions side by side', () => {
    const layout = layoutStatechart(extractStatechart(nested));
    const left = layout.nodes.find((n) => n.path === 'both.left') as LaidOutNode;
    const right = layout.nodes.find((n) => n.path === 'both.right') as LaidOutNode;
    expect(right.x).toBeGreaterThanOrEqual(left.x + left.width);
    expect(right.y).toBe(left.y);
  });
});
