// Places a statechart on a plane for the inspector's SVG with ELK's layered algorithm (elkjs,
// the layout library Stately's own tools use): compound and parallel states are ELK hierarchy
// nodes laid out together with their children (INCLUDE_CHILDREN), so transitions between
// levels are routed as one orthogonal path; every edge's route (its bend points) and its label
// are placed by ELK, which keeps labels off boxes and off each other. Each container's initial
// state gets a start dot that ELK places like any node. Compound states listed as collapsed are
// laid out as plain boxes, their inner transitions dropped and the ones crossing their border
// attached to the box. Computed on the server, once per machine version and collapsed set
// (chart-for.ts), so the page only draws.
import ELK, { type ElkExtendedEdge, type ElkLabel, type ElkNode, type ElkPoint } from 'elkjs/lib/elk.bundled.js';
import type { ChartNode, ChartNodeType, Statechart } from './statechart-graph';

export interface LaidOutNode {
  path: string;
  key: string;
  /** Path of the parent state; '' for children of the root. */
  parent: string;
  type: ChartNodeType;
  initial: boolean;
  /** Nesting depth, 0 for children of the root. */
  depth: number;
  /** A compound or parallel state: the page offers to collapse or expand it. */
  collapsible: boolean;
  /** Drawn as a plain box: its children are not in this layout. */
  collapsed: boolean;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface EdgeLabel {
  event: string;
  guard: string | null;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidOutEdge {
  source: string;
  target: string;
  /** Every transition between the same two boxes, drawn as one arrow with one label line per event. */
  labels: EdgeLabel[];
  /** SVG path data in absolute coordinates: ELK's start point, bend points and end point. */
  d: string;
  /** Where ELK put the label block (top-left corner and size). */
  label: Box;
}

/** The start dot of a container (the root or a compound state) and its arrow to the initial child. */
export interface InitialMarker {
  /** The container's path; '' for the root. */
  parent: string;
  target: string;
  cx: number;
  cy: number;
  d: string;
}

export interface ChartLayout {
  machineId: string;
  /** The compound states drawn collapsed, sorted. */
  collapsed: string[];
  width: number;
  height: number;
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
  initials: InitialMarker[];
}

// Monospace in the page (12px states, 10px labels): a fixed advance keeps server-side
// measurement honest.
const STATE_CHAR_WIDTH = 7.3;
const LABEL_CHAR_WIDTH = 6.1;
const LABEL_LINE_HEIGHT = 12;
const NODE_HEIGHT = 34;
const NODE_MIN_WIDTH = 90;
/** Room at the right of a collapsible state's title for its toggle. */
const TOGGLE_ROOM = 22;
const HEADER = 26;
const PADDING = 14;
const START_SIZE = 10;
const MARGIN = 20;

const LAYOUT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.edgeLabels.placement': 'CENTER',
  // From the start dots, depth first: the states flow left to right in the order the machine
  // reaches them, and transitions back (retry, recover, cancel) are the ones drawn backwards.
  'elk.layered.cycleBreaking.strategy': 'DEPTH_FIRST',
  'elk.layered.spacing.nodeNodeBetweenLayers': '36',
  'elk.layered.spacing.edgeNodeBetweenLayers': '12',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '10',
  'elk.spacing.nodeNode': '28',
  'elk.spacing.edgeNode': '14',
  'elk.spacing.edgeEdge': '10',
  'elk.spacing.edgeLabel': '4',
  'elk.spacing.labelLabel': '4',
  'elk.spacing.componentComponent': '36',
  'elk.padding': `[top=${MARGIN},left=${MARGIN},bottom=${MARGIN},right=${MARGIN}]`,
  'elk.json.shapeCoords': 'ROOT',
  'elk.json.edgeCoords': 'ROOT',
};

const elk = new ELK();

export async function layoutStatechart(chart: Statechart, collapsedPaths: Iterable<string> = []): Promise<ChartLayout> {
  const byPath = new Map(chart.nodes.map((n) => [n.path, n]));
  const collapsed = new Set([...collapsedPaths].filter((p) => (byPath.get(p)?.children.length ?? 0) > 0));
  /** The box a state is drawn in: itself, or its outermost collapsed ancestor. */
  const shown = (path: string): string => {
    let at = path;
    for (let node = byPath.get(path); node?.parent; node = byPath.get(node.parent)) if (collapsed.has(node.parent)) at = node.parent;
    return at;
  };

  const ids = new Map<string, string>();
  const paths = new Map<string, string>();
  const idOf = (path: string) => ids.get(path) as string;
  chart.nodes.forEach((n, i) => {
    ids.set(n.path, `n${i}`);
    paths.set(`n${i}`, n.path);
  });

  const containers = new Map<string, ElkNode>();
  const elkNode = (node: ChartNode): ElkNode => {
    const open = node.children.length > 0 && !collapsed.has(node.path);
    const title = node.key.length * STATE_CHAR_WIDTH + 28 + (node.children.length > 0 ? TOGGLE_ROOM : 0);
    if (!open) return { id: idOf(node.path), width: Math.round(Math.max(NODE_MIN_WIDTH, title)), height: NODE_HEIGHT };
    const children = node.children.map((c) => elkNode(byPath.get(c) as ChartNode));
    const container: ElkNode = {
      id: idOf(node.path),
      children,
      edges: [],
      layoutOptions: {
        'elk.padding': `[top=${HEADER + 8},left=${PADDING},bottom=${PADDING},right=${PADDING}]`,
        'elk.nodeSize.constraints': '[MINIMUM_SIZE]',
        'elk.nodeSize.minimum': `(${Math.round(title)}, ${NODE_HEIGHT + HEADER})`,
      },
    };
    containers.set(node.path, container);
    return container;
  };
  const root: ElkNode = { id: 'root', layoutOptions: LAYOUT_OPTIONS, children: chart.roots.map((r) => elkNode(byPath.get(r) as ChartNode)), edges: [] };
  containers.set('', root);

  // Start dots: one per open container whose children have an initial one (parallel regions have none).
  const starts = new Map<string, { parent: string; target: string }>();
  for (const [parent, container] of containers) {
    const kids = parent === '' ? chart.roots : (byPath.get(parent) as ChartNode).children;
    const initial = kids.find((k) => byPath.get(k)?.initial);
    if (!initial || (parent !== '' && byPath.get(parent)?.type === 'parallel')) continue;
    const id = `s${starts.size}`;
    starts.set(id, { parent, target: initial });
    container.children?.unshift({ id, width: START_SIZE, height: START_SIZE });
    container.edges?.push({ id: `${id}e`, sources: [id], targets: [idOf(initial)] });
  }

  const groups = new Map<string, { source: string; target: string; labels: EdgeLabel[] }>();
  for (const edge of chart.edges) {
    const source = shown(edge.source);
    const target = shown(edge.target);
    // A transition between two states inside one collapsed box is hidden with them.
    if (source === target && edge.source !== source && edge.target !== target) continue;
    const key = `${source}\u0000${target}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { source, target, labels: [] }));
    if (!group.labels.some((l) => l.event === edge.event && l.guard === edge.guard)) group.labels.push({ event: edge.event, guard: edge.guard });
  }
  const grouped = [...groups.values()];
  grouped.forEach((g, i) => {
    // One line per event: the same event under different guards is one line (the guards are in the page's tooltip).
    const lines = [...new Set(g.labels.map((l) => l.event))];
    const label: ElkLabel = {
      id: `e${i}l`,
      text: lines.join('\n'),
      width: Math.round(Math.max(...lines.map((l) => l.length)) * LABEL_CHAR_WIDTH + 6),
      height: lines.length * LABEL_LINE_HEIGHT + 2,
    };
    const edge: ElkExtendedEdge = { id: `e${i}`, sources: [idOf(g.source)], targets: [idOf(g.target)], labels: [label] };
    containers.get(edgeContainer(g.source, g.target, byPath))?.edges?.push(edge);
  });

  const laid = await elk.layout(root);

  const nodes: LaidOutNode[] = [];
  const visit = (n: ElkNode, depth: number) => {
    const path = paths.get(n.id);
    if (path === undefined) return;
    const node = byPath.get(path) as ChartNode;
    nodes.push({
      path,
      key: node.key,
      parent: node.parent,
      type: node.type,
      initial: node.initial,
      depth,
      collapsible: node.children.length > 0,
      collapsed: collapsed.has(path),
      ...box(n),
    });
    for (const child of n.children ?? []) visit(child, depth + 1);
  };
  for (const child of laid.children ?? []) visit(child, 0);

  const edgesById = new Map<string, ElkExtendedEdge>();
  const collect = (n: ElkNode) => {
    for (const e of n.edges ?? []) edgesById.set(e.id, e);
    for (const child of n.children ?? []) collect(child);
  };
  collect(laid);

  const edges: LaidOutEdge[] = grouped.map((g, i) => {
    const e = edgesById.get(`e${i}`) as ElkExtendedEdge;
    return { source: g.source, target: g.target, labels: g.labels, d: pathData(e), label: box(e.labels?.[0] ?? {}) };
  });

  const shapes = new Map<string, ElkNode>();
  const index = (n: ElkNode) => {
    shapes.set(n.id, n);
    for (const child of n.children ?? []) index(child);
  };
  index(laid);
  const initials: InitialMarker[] = [...starts].map(([id, s]) => {
    const dot = shapes.get(id) as ElkNode;
    return { parent: s.parent, target: s.target, cx: round((dot.x ?? 0) + START_SIZE / 2), cy: round((dot.y ?? 0) + START_SIZE / 2), d: pathData(edgesById.get(`${id}e`) as ElkExtendedEdge) };
  });

  return { machineId: chart.machineId, collapsed: [...collapsed].sort(), width: round(laid.width ?? 0), height: round(laid.height ?? 0), nodes, edges, initials };
}

/**
 * The node an edge belongs to in ELK's graph (ElkGraphUtil's convention): the source when the
 * target is inside it, the target when the source is inside it, else the nearest container
 * holding both.
 */
function edgeContainer(source: string, target: string, byPath: Map<string, ChartNode>): string {
  if (target.startsWith(`${source}.`)) return source;
  if (source.startsWith(`${target}.`)) return target;
  const a = (byPath.get(source) as ChartNode).parent.split('.');
  const b = (byPath.get(target) as ChartNode).parent.split('.');
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return a.slice(0, common).join('.');
}

function pathData(edge: ElkExtendedEdge): string {
  const points: ElkPoint[] = [];
  for (const section of edge.sections ?? []) points.push(section.startPoint, ...(section.bendPoints ?? []), section.endPoint);
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${round(p.x)},${round(p.y)}`).join(' ');
}

function box(shape: { x?: number; y?: number; width?: number; height?: number }): Box {
  return { x: round(shape.x ?? 0), y: round(shape.y ?? 0), width: round(shape.width ?? 0), height: round(shape.height ?? 0) };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
