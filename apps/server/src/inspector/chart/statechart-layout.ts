// Places a statechart on a plane for the inspector's SVG: a layered layout per compound state
// (children ranked by breadth-first distance from the initial child, one column per rank,
// rows ordered by the barycentre of their predecessors), parallel regions side by side, and
// nested states drawn inside their parent. Computed once per machine version on the server,
// so the page only draws boxes and paths and stays fast on long streams.
import type { ChartNode, ChartNodeType, Statechart } from './statechart-graph';

export interface LaidOutNode {
  path: string;
  key: string;
  type: ChartNodeType;
  initial: boolean;
  /** Nesting depth, 0 for children of the root. */
  depth: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface EdgeLabel {
  event: string;
  guard: string | null;
}

export interface LaidOutEdge {
  source: string;
  target: string;
  /** Every transition between the same two states, drawn as one arrow. */
  labels: EdgeLabel[];
  /** SVG path data, absolute coordinates. */
  d: string;
  labelX: number;
  labelY: number;
}

export interface ChartLayout {
  machineId: string;
  width: number;
  height: number;
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
}

// Monospace 12px in the page: a fixed advance keeps server-side measurement honest.
const CHAR_WIDTH = 7.3;
const NODE_HEIGHT = 34;
const NODE_MIN_WIDTH = 90;
const PADDING = 14;
const HEADER = 24;
const COLUMN_GAP = 150;
const ROW_GAP = 44;
const REGION_GAP = 24;
const MARGIN = 24;

interface Size {
  width: number;
  height: number;
}

interface Point {
  x: number;
  y: number;
}

export function layoutStatechart(chart: Statechart): ChartLayout {
  const byPath = new Map(chart.nodes.map((n) => [n.path, n]));
  const sizes = new Map<string, Size>();
  const offsets = new Map<string, Point>();

  const measure = (node: ChartNode): Size => {
    const labelWidth = node.key.length * CHAR_WIDTH + 28;
    let size: Size;
    if (node.children.length === 0) {
      size = { width: Math.max(NODE_MIN_WIDTH, labelWidth), height: NODE_HEIGHT };
    } else {
      const content = arrange(node.children, node.type === 'parallel');
      size = { width: Math.max(labelWidth, content.width + 2 * PADDING), height: HEADER + content.height + PADDING };
    }
    sizes.set(node.path, size);
    return size;
  };

  /** Lays out siblings relative to their parent's content origin; returns the content size. */
  const arrange = (children: string[], parallel: boolean): Size => {
    const childSizes = children.map((c) => measure(byPath.get(c) as ChartNode));
    if (parallel) {
      let x = 0;
      children.forEach((c, i) => {
        offsets.set(c, { x, y: 0 });
        x += childSizes[i].width + REGION_GAP;
      });
      return { width: x - REGION_GAP, height: Math.max(...childSizes.map((s) => s.height)) };
    }
    const columns = rankColumns(children, chart, byPath);
    const sizeOf = (c: string) => childSizes[children.indexOf(c)];
    const columnWidths = columns.map((col) => Math.max(...col.map((c) => sizeOf(c).width)));
    const columnHeights = columns.map((col) => col.reduce((h, c) => h + sizeOf(c).height, 0) + ROW_GAP * (col.length - 1));
    const height = Math.max(...columnHeights);
    let x = 0;
    columns.forEach((col, i) => {
      let y = (height - columnHeights[i]) / 2;
      for (const c of col) {
        offsets.set(c, { x: x + (columnWidths[i] - sizeOf(c).width) / 2, y });
        y += sizeOf(c).height + ROW_GAP;
      }
      x += columnWidths[i] + COLUMN_GAP;
    });
    return { width: x - COLUMN_GAP, height };
  };

  arrange(chart.roots, false);

  const nodes: LaidOutNode[] = [];
  const place = (path: string, origin: Point, depth: number) => {
    const node = byPath.get(path) as ChartNode;
    const offset = offsets.get(path) as Point;
    const size = sizes.get(path) as Size;
    const x = origin.x + offset.x;
    const y = origin.y + offset.y;
    nodes.push({ path, key: node.key, type: node.type, initial: node.initial, depth, x: round(x), y: round(y), width: round(size.width), height: round(size.height) });
    for (const child of node.children) place(child, { x: x + PADDING, y: y + HEADER }, depth + 1);
  };
  // Extra room above the first row for self-loops drawn over a box.
  for (const root of chart.roots) place(root, { x: MARGIN, y: MARGIN + 24 }, 0);

  const boxes = new Map(nodes.map((n) => [n.path, n]));
  const edges = groupEdges(chart).map(({ source, target, labels }) => routeEdge(boxes.get(source) as LaidOutNode, boxes.get(target) as LaidOutNode, labels));
  const bounds = boundsOf(nodes, edges);
  return { machineId: chart.machineId, width: round(bounds.x + MARGIN), height: round(bounds.y + MARGIN), nodes, edges };
}

/**
 * Columns of siblings: rank = breadth-first distance from the initial sibling over the
 * transitions between them (a transition from or to a descendant counts for its ancestor
 * among the siblings). Within a column, siblings follow the mean row of their predecessors.
 */
function rankColumns(children: string[], chart: Statechart, byPath: Map<string, ChartNode>): string[][] {
  const siblings = new Set(children);
  const depth = children[0].split('.').length;
  const lift = (path: string) => {
    const candidate = path.split('.').slice(0, depth).join('.');
    return siblings.has(candidate) ? candidate : undefined;
  };
  const successors = new Map(children.map((c) => [c, [] as string[]]));
  const predecessors = new Map(children.map((c) => [c, [] as string[]]));
  for (const edge of chart.edges) {
    const s = lift(edge.source);
    const t = lift(edge.target);
    if (!s || !t || s === t) continue;
    successors.get(s)?.push(t);
    predecessors.get(t)?.push(s);
  }
  const rank = new Map<string, number>();
  const initial = children.find((c) => byPath.get(c)?.initial) ?? children[0];
  for (const start of [initial, ...children]) {
    if (rank.has(start)) continue;
    rank.set(start, 0);
    const queue = [start];
    while (queue.length > 0) {
      const current = queue.shift() as string;
      for (const next of successors.get(current) ?? []) {
        if (rank.has(next)) continue;
        rank.set(next, (rank.get(current) as number) + 1);
        queue.push(next);
      }
    }
  }
  const columns: string[][] = [];
  for (const c of children) (columns[rank.get(c) as number] ??= []).push(c);
  const dense = columns.filter((col) => col !== undefined);
  const row = new Map<string, number>();
  dense.forEach((col) => col.forEach((c, i) => row.set(c, i)));
  for (let sweep = 0; sweep < 2; sweep++) {
    for (let i = 1; i < dense.length; i++) {
      const weight = (c: string) => {
        const placed = (predecessors.get(c) ?? []).filter((p) => (rank.get(p) as number) < (rank.get(c) as number));
        return placed.length === 0 ? (row.get(c) as number) : placed.reduce((sum, p) => sum + (row.get(p) as number), 0) / placed.length;
      };
      const weights = new Map(dense[i].map((c) => [c, weight(c)]));
      dense[i].sort((a, b) => (weights.get(a) as number) - (weights.get(b) as number));
      dense[i].forEach((c, k) => row.set(c, k));
    }
  }
  return dense;
}

function groupEdges(chart: Statechart): { source: string; target: string; labels: EdgeLabel[] }[] {
  const groups = new Map<string, { source: string; target: string; labels: EdgeLabel[] }>();
  for (const edge of chart.edges) {
    const key = `${edge.source}\u0000${edge.target}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { source: edge.source, target: edge.target, labels: [] }));
    if (!group.labels.some((l) => l.event === edge.event && l.guard === edge.guard)) group.labels.push({ event: edge.event, guard: edge.guard });
  }
  return [...groups.values()];
}

/** Forward arrows leave right and enter left; backward ones loop below; the rest bulge right. */
function routeEdge(a: LaidOutNode, b: LaidOutNode, labels: EdgeLabel[]): LaidOutEdge {
  let p0: Point;
  let p1: Point;
  let p2: Point;
  let p3: Point;
  if (a.path === b.path) {
    p0 = { x: a.x + a.width * 0.7, y: a.y };
    p3 = { x: a.x + a.width, y: a.y + Math.min(12, a.height / 3) };
    p1 = { x: p0.x, y: p0.y - 34 };
    p2 = { x: p3.x + 34, y: p3.y };
  } else if (b.x >= a.x + a.width) {
    p0 = { x: a.x + a.width, y: a.y + Math.min(a.height / 2, 17) };
    p3 = { x: b.x, y: b.y + Math.min(b.height / 2, 17) };
    const dx = (p3.x - p0.x) / 2;
    p1 = { x: p0.x + dx, y: p0.y };
    p2 = { x: p3.x - dx, y: p3.y };
  } else if (b.x + b.width <= a.x) {
    p0 = { x: a.x + a.width / 2, y: a.y + a.height };
    p3 = { x: b.x + b.width / 2, y: b.y + b.height };
    const dip = 30 + Math.abs(p0.x - p3.x) * 0.12;
    const bottom = Math.max(p0.y, p3.y) + dip;
    p1 = { x: p0.x, y: bottom };
    p2 = { x: p3.x, y: bottom };
  } else {
    p0 = { x: a.x + a.width, y: a.y + Math.min(a.height / 2, 17) };
    p3 = { x: b.x + b.width, y: b.y + Math.min(b.height / 2, 17) };
    const right = Math.max(p0.x, p3.x) + 44;
    p1 = { x: right, y: p0.y };
    p2 = { x: right, y: p3.y };
  }
  const label = bezierMidpoint(p0, p1, p2, p3);
  return {
    source: a.path,
    target: b.path,
    labels,
    d: `M${round(p0.x)},${round(p0.y)} C${round(p1.x)},${round(p1.y)} ${round(p2.x)},${round(p2.y)} ${round(p3.x)},${round(p3.y)}`,
    labelX: round(label.x),
    labelY: round(label.y),
  };
}

function bezierMidpoint(p0: Point, p1: Point, p2: Point, p3: Point): Point {
  return { x: (p0.x + 3 * p1.x + 3 * p2.x + p3.x) / 8, y: (p0.y + 3 * p1.y + 3 * p2.y + p3.y) / 8 };
}

/** The far corner of everything drawn: boxes, curve control points (a Bézier stays inside them) and labels. */
function boundsOf(nodes: LaidOutNode[], edges: LaidOutEdge[]): Point {
  let x = 0;
  let y = 0;
  for (const n of nodes) {
    x = Math.max(x, n.x + n.width);
    y = Math.max(y, n.y + n.height);
  }
  for (const e of edges) {
    for (const [px, py] of e.d.match(/-?[\d.]+,-?[\d.]+/g)?.map((p) => p.split(',').map(Number)) ?? []) {
      x = Math.max(x, px);
      y = Math.max(y, py);
    }
    const longest = Math.max(...e.labels.map((l) => l.event.length));
    x = Math.max(x, e.labelX + (longest * CHAR_WIDTH) / 2);
    y = Math.max(y, e.labelY + e.labels.length * 14);
  }
  return { x, y };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
