import { createMachine } from 'xstate';
import { ENGINE_MACHINES, JOB_MACHINE, MASTER_SESSION_MACHINE } from '@engine/machines';
import { chartFor } from './chart-for';
import { activeLeafPaths, extractStatechart, stateLabel } from './statechart-graph';
import { layoutStatechart, type Box, type ChartLayout, type LaidOutNode } from './statechart-layout';

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

const inside = (child: Box, parent: Box) =>
  child.x >= parent.x && child.y >= parent.y && child.x + child.width <= parent.x + parent.width && child.y + child.height <= parent.y + parent.height;
const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const pointsOf = (d: string) => [...d.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]), width: 0, height: 0 }));
const boxOf = (layout: ChartLayout, path: string) => layout.nodes.find((n) => n.path === path) as LaidOutNode;

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

describe('statechart layout (ELK)', () => {
  for (const [name, machine] of [['nested', nested], ...ENGINE_MACHINES.map((m) => [m.id, m.machine] as const)] as const) {
    it(`${name}: every state, route and label inside the chart, children inside their parent, no siblings overlapping`, async () => {
      const chart = extractStatechart(machine);
      const layout = await layoutStatechart(chart);
      const canvas = { x: 0, y: 0, width: layout.width, height: layout.height };
      expect(layout.nodes.map((n) => n.path).sort()).toEqual(chart.nodes.map((n) => n.path).sort());
      for (const node of chart.nodes) {
        const box = boxOf(layout, node.path);
        expect({ path: node.path, inside: inside(box, canvas) }).toEqual({ path: node.path, inside: true });
        if (node.parent) expect({ path: node.path, insideParent: inside(box, boxOf(layout, node.parent)) }).toEqual({ path: node.path, insideParent: true });
      }
      for (const parent of ['', ...chart.nodes.map((n) => n.path)]) {
        const siblings = layout.nodes.filter((n) => n.parent === parent);
        const dots = layout.initials.filter((i) => i.parent === parent).map((i) => ({ x: i.cx - 5, y: i.cy - 5, width: 10, height: 10 }));
        const boxes: Box[] = [...siblings, ...dots];
        for (const [i, a] of boxes.entries()) for (const b of boxes.slice(i + 1)) expect(overlap(a, b)).toBe(false);
      }
      const pairs = new Set(chart.edges.map((e) => `${e.source}>${e.target}`));
      expect(layout.edges).toHaveLength(pairs.size);
      for (const edge of layout.edges) {
        expect(edge.d).toMatch(/^M[\d.-]+,[\d.-]+( L[\d.-]+,[\d.-]+)+$/);
        for (const point of pointsOf(edge.d)) expect(inside(point, canvas)).toBe(true);
        expect(inside(edge.label, canvas)).toBe(true);
        expect(edge.label.height).toBeGreaterThanOrEqual(new Set(edge.labels.map((l) => l.event)).size * 12);
        // A label sits on its arrow, never on a state's box (a compound's frame may hold it).
        for (const leaf of layout.nodes.filter((n) => !n.collapsible)) expect({ label: edge.labels[0].event, on: overlap(edge.label, leaf) ? leaf.path : null }).toEqual({ label: edge.labels[0].event, on: null });
      }
      for (const start of layout.initials) expect(inside({ x: start.cx, y: start.cy, width: 0, height: 0 }, canvas)).toBe(true);
    });
  }

  it('starts at the initial state: its start dot on the left, the states it leads to further right', async () => {
    const layout = await layoutStatechart(extractStatechart(JOB_MACHINE.machine));
    const start = layout.initials.find((i) => i.parent === '');
    expect(start?.target).toBe('pending');
    const pending = boxOf(layout, 'pending');
    expect(start?.cx).toBeLessThan(pending.x);
    expect(pending.x).toBe(Math.min(...layout.nodes.map((n) => n.x)));
    expect(boxOf(layout, 'cloning').x).toBeGreaterThan(pending.x + pending.width);
    expect(boxOf(layout, 'submitted').x).toBeGreaterThan(boxOf(layout, 'submitting').x);
  });

  it('gives every compound state except parallel ones a start dot pointing at its initial child', async () => {
    const chart = extractStatechart(MASTER_SESSION_MACHINE.machine);
    const layout = await layoutStatechart(chart);
    const compound = chart.nodes.filter((n) => n.type === 'compound');
    expect(layout.initials.filter((i) => i.parent !== '').map((i) => i.parent).sort()).toEqual(compound.map((n) => n.path).sort());
    for (const start of layout.initials) {
      const target = chart.nodes.find((n) => n.path === start.target);
      expect(target).toMatchObject({ initial: true, parent: start.parent });
      if (start.parent) expect(inside({ x: start.cx, y: start.cy, width: 0, height: 0 }, boxOf(layout, start.parent))).toBe(true);
    }
  });

  it('merges transitions between the same two states into one arrow with every event', async () => {
    const layout = await layoutStatechart(extractStatechart(JOB_MACHINE.machine));
    const edge = layout.edges.find((e) => e.source === 'cloning' && e.target === 'waiting');
    expect(edge?.labels.map((l) => l.event).sort()).toEqual(['CLONE_FAILED', 'EFFECT_FAILED']);
  });

  it('lays parallel regions out inside their state without overlapping', async () => {
    const layout = await layoutStatechart(extractStatechart(nested));
    const both = boxOf(layout, 'both');
    expect(inside(boxOf(layout, 'both.left'), both)).toBe(true);
    expect(inside(boxOf(layout, 'both.right'), both)).toBe(true);
    expect(overlap(boxOf(layout, 'both.left'), boxOf(layout, 'both.right'))).toBe(false);
  });

  it('draws a collapsed compound state as a plain box: its children gone, transitions across its border attached to it, inner ones hidden', async () => {
    const chart = extractStatechart(MASTER_SESSION_MACHINE.machine);
    const full = await layoutStatechart(chart);
    const layout = await layoutStatechart(chart, ['recovering', 'not-a-state', 'ready']);
    expect(layout.collapsed).toEqual(['recovering']);
    expect(layout.nodes.some((n) => n.path.startsWith('recovering.'))).toBe(false);
    const recovering = boxOf(layout, 'recovering');
    expect(recovering).toMatchObject({ collapsible: true, collapsed: true, height: 34 });
    expect(recovering.width).toBeLessThan(boxOf(full, 'recovering').width);
    expect(layout.width).toBeLessThan(full.width);
    const shown = new Set(layout.nodes.map((n) => n.path));
    for (const edge of layout.edges) expect([shown.has(edge.source), shown.has(edge.target)]).toEqual([true, true]);
    // recovering.soft.attempt.relogin --LOGGED_IN--> ready now leaves the box itself.
    expect(layout.edges.find((e) => e.source === 'recovering' && e.target === 'ready')?.labels.map((l) => l.event)).toContain('LOGGED_IN');
    // soft.failed → hard (eventless) lies inside the box: not drawn; no start dot is left inside it.
    expect(full.edges.some((e) => e.source === 'recovering.soft.failed' && e.target === 'recovering.hard')).toBe(true);
    expect(layout.edges.some((e) => e.source === 'recovering' && e.target === 'recovering')).toBe(false);
    expect(layout.initials.some((i) => i.parent.startsWith('recovering'))).toBe(false);
    expect(boxOf(layout, 'critical').collapsed).toBe(false);
  });

  it('lays a machine out once per collapsed set, whatever the order it is asked in', async () => {
    expect(chartFor(MASTER_SESSION_MACHINE)).toBe(chartFor(MASTER_SESSION_MACHINE));
    expect(chartFor(MASTER_SESSION_MACHINE, ['critical', 'recovering'])).toBe(chartFor(MASTER_SESSION_MACHINE, ['recovering', 'critical', 'critical']));
    expect(chartFor(MASTER_SESSION_MACHINE, ['critical'])).not.toBe(chartFor(MASTER_SESSION_MACHINE));
    expect((await chartFor(MASTER_SESSION_MACHINE, ['critical'])).collapsed).toEqual(['critical']);
  });
});
