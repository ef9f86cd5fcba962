// The inspector's statechart view: draws the server's ELK layout (boxes, routed arrows, labels,
// start dots) as SVG in a fixed frame, with zoom (wheel, buttons), pan (drag), fit (the whole
// chart in view) and the current state centred. Compound states collapse and expand: the page
// asks the server for the layout with that set collapsed (laid out once per set and machine, then
// cached), so the box really shrinks and the arrows are routed again, instead of hiding children
// in a layout made for them. The set is remembered per machine while the tab is open.
// Plain modern JavaScript, no build step, no dependencies; inspector.js calls it.
'use strict';

window.InspectorChart = (() => {
  const MIN_ZOOM = 0.05;
  const MAX_ZOOM = 4;
  /** On load the chart is shown whole if it is readable that way, else at this zoom around the current state. */
  const READABLE_ZOOM = 1;
  const STEP = 1.25;
  const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  const esc = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
  const collapsedByMachine = new Map();

  /**
   * `svg` is the drawing, `tools` the element holding the buttons ([data-chart-tool]) and the
   * zoom read-out ([data-chart-zoom]).
   */
  function create(svg, tools) {
    let chart = null;
    let hooks = {};
    let zoom = { k: 1, tx: 0, ty: 0 };
    let focus = null; // the path centred last: the "current state" button goes back to it
    let request = 0;
    let holdCentre = false;

    const size = () => {
      const rect = svg.getBoundingClientRect();
      return { width: rect.width, height: rect.height };
    };

    function apply() {
      const viewport = svg.querySelector(':scope > g.viewport');
      if (viewport) viewport.setAttribute('transform', `translate(${zoom.tx.toFixed(2)} ${zoom.ty.toFixed(2)}) scale(${zoom.k.toFixed(4)})`);
      svg.dataset.zoom = zoom.k.toFixed(4);
      const readout = tools.querySelector('[data-chart-zoom]');
      if (readout) readout.textContent = `${Math.round(zoom.k * 100)}%`;
    }

    const clamp = (k) => Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k));
    const fitZoom = () => {
      const { width, height } = size();
      return chart && width > 0 && height > 0 ? Math.min(width / chart.width, height / chart.height, 1) : 1;
    };

    /** The whole chart in view, centred. */
    function fit() {
      if (!chart) return;
      const { width, height } = size();
      const k = fitZoom();
      zoom = { k, tx: (width - chart.width * k) / 2, ty: (height - chart.height * k) / 2 };
      apply();
    }

    /** Zooms by `factor` keeping the point (x, y) of the frame where it is. */
    function zoomBy(factor, x, y) {
      const { width, height } = size();
      const px = x ?? width / 2;
      const py = y ?? height / 2;
      const k = clamp(zoom.k * factor);
      zoom = { k, tx: px - ((px - zoom.tx) * k) / zoom.k, ty: py - ((py - zoom.ty) * k) / zoom.k };
      apply();
    }

    /** The box a state is drawn in: itself, or the collapsed ancestor it is hidden in. */
    function boxOf(path) {
      if (!chart || !path) return null;
      const parts = path.split('.');
      for (let i = parts.length; i > 0; i--) {
        const node = chart.nodes.find((n) => n.path === parts.slice(0, i).join('.'));
        if (node) return node;
      }
      return null;
    }

    /**
     * Puts a state (or the box it is hidden in) in the middle of the frame at the current zoom.
     * Along an axis where the whole chart fits (after "Fit", say) the chart is centred instead:
     * centring one state must not push others out of a chart that was all in view.
     */
    function centre(path) {
      focus = path;
      if (holdCentre) return;
      const box = boxOf(path);
      if (!box) return;
      const { width, height } = size();
      const axis = (frame, extent, middle) => (extent * zoom.k <= frame ? (frame - extent * zoom.k) / 2 : frame / 2 - middle * zoom.k);
      zoom = { ...zoom, tx: axis(width, chart.width, box.x + box.width / 2), ty: axis(height, chart.height, box.y + box.height / 2) };
      apply();
    }

    function draw(layout) {
      chart = layout;
      tools.hidden = !layout;
      if (!layout) {
        svg.innerHTML = '';
        return;
      }
      const parts = [
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8c959f"/></marker></defs>',
        '<g class="viewport">',
      ];
      for (const n of [...layout.nodes].sort((a, b) => a.depth - b.depth)) {
        const container = n.collapsible;
        const classes = ['node', n.type, n.collapsed ? 'collapsed' : ''].filter(Boolean).join(' ');
        parts.push(`<g class="${esc(classes)}" data-path="${esc(n.path)}"><title>${esc(n.path)}</title>`);
        parts.push(`<rect x="${n.x}" y="${n.y}" width="${n.width}" height="${n.height}" rx="${container ? 8 : 14}"/>`);
        if (n.type === 'final') parts.push(`<rect class="inner" x="${n.x + 3}" y="${n.y + 3}" width="${n.width - 6}" height="${n.height - 6}" rx="11"/>`);
        if (container && !n.collapsed) parts.push(`<text x="${n.x + 10}" y="${n.y + 17}">${esc(n.key)}</text>`);
        else if (container) parts.push(`<text x="${n.x + 10}" y="${n.y + n.height / 2 + 4}">${esc(n.key)}</text>`);
        else parts.push(`<text x="${n.x + n.width / 2}" y="${n.y + n.height / 2 + 4}" text-anchor="middle">${esc(n.key)}</text>`);
        parts.push('</g>');
      }
      for (const s of layout.initials) parts.push(`<g class="start"><circle cx="${s.cx}" cy="${s.cy}" r="4"/><path class="edge" d="${esc(s.d)}" marker-end="url(#arrow)"/></g>`);
      for (const e of layout.edges) {
        const title = e.labels.map((l) => (l.guard ? `${l.event} [${l.guard}]` : l.event)).join('\n');
        parts.push(`<g class="transition" data-source="${esc(e.source)}" data-target="${esc(e.target)}"><title>${esc(`${e.source} → ${e.target}\n${title}`)}</title>`);
        parts.push(`<path class="edge" d="${esc(e.d)}" marker-end="url(#arrow)"/>`);
        parts.push(`<rect class="label-bg" x="${e.label.x}" y="${e.label.y}" width="${e.label.width}" height="${e.label.height}"/>`);
        [...new Set(e.labels.map((l) => l.event))].forEach((event, i) => {
          parts.push(`<text class="edge-label" x="${e.label.x + e.label.width / 2}" y="${e.label.y + 10 + i * 12}" text-anchor="middle">${esc(event)}</text>`);
        });
        parts.push('</g>');
      }
      // Toggles last: above every arrow, so they can always be clicked.
      for (const n of layout.nodes.filter((node) => node.collapsible)) {
        const x = n.x + n.width - 20;
        const y = n.collapsed ? n.y + n.height / 2 - 7 : n.y + 6;
        const label = n.collapsed ? `Expand ${n.path}` : `Collapse ${n.path}`;
        parts.push(`<g class="toggle" data-toggle="${esc(n.path)}" role="button" aria-label="${esc(label)}"><title>${esc(label)}</title>`);
        parts.push(`<rect x="${x}" y="${y}" width="14" height="14" rx="3"/><text x="${x + 7}" y="${y + 11}" text-anchor="middle">${n.collapsed ? '+' : '−'}</text></g>`);
      }
      parts.push('</g>');
      svg.innerHTML = parts.join('');
      apply();
    }

    /** Asks the server for the layout with `collapsed` and draws it; a stale answer is dropped. */
    async function relayout(collapsed, anchor) {
      const mine = ++request;
      const machineId = chart.machineId;
      const layout = await hooks.layout([...collapsed]);
      if (mine !== request || !chart || chart.machineId !== machineId) return;
      const before = anchor ? boxOf(anchor) : null;
      draw(layout);
      const after = anchor ? boxOf(anchor) : null;
      // The state that was clicked stays under the pointer; the chart does not jump to the current state.
      if (before && after) {
        zoom = { ...zoom, tx: zoom.tx + (before.x - after.x) * zoom.k, ty: zoom.ty + (before.y - after.y) * zoom.k };
        apply();
      }
      holdCentre = anchor !== undefined;
      try {
        hooks.redrawn?.();
      } finally {
        holdCentre = false;
      }
    }

    function toggle(path) {
      if (!chart) return;
      const set = new Set(chart.collapsed);
      // States collapsed inside it stay collapsed when it opens again, as in a tree view.
      if (set.has(path)) set.delete(path);
      else set.add(path);
      collapsedByMachine.set(chart.machineId, set);
      relayout(set, path).catch((error) => hooks.failed?.(error));
    }

    // ---- pointer and buttons -------------------------------------------------------------
    let drag = null;
    svg.addEventListener('pointerdown', (event) => {
      if (event.button !== 0 || !chart || event.target.closest('.toggle')) return;
      drag = { id: event.pointerId, x: event.clientX, y: event.clientY };
      svg.setPointerCapture(event.pointerId);
      svg.classList.add('panning');
    });
    svg.addEventListener('pointermove', (event) => {
      if (!drag || drag.id !== event.pointerId) return;
      zoom = { ...zoom, tx: zoom.tx + event.clientX - drag.x, ty: zoom.ty + event.clientY - drag.y };
      drag = { ...drag, x: event.clientX, y: event.clientY };
      apply();
    });
    const endDrag = (event) => {
      if (!drag || drag.id !== event.pointerId) return;
      drag = null;
      svg.classList.remove('panning');
    };
    svg.addEventListener('pointerup', endDrag);
    svg.addEventListener('pointercancel', endDrag);
    svg.addEventListener(
      'wheel',
      (event) => {
        if (!chart) return;
        event.preventDefault();
        const rect = svg.getBoundingClientRect();
        const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
        zoomBy(Math.exp(-delta * 0.0015), event.clientX - rect.left, event.clientY - rect.top);
      },
      { passive: false },
    );
    svg.addEventListener('click', (event) => {
      const target = event.target.closest('.toggle');
      if (target) toggle(target.dataset.toggle);
    });
    tools.addEventListener('click', (event) => {
      const button = event.target.closest('[data-chart-tool]');
      if (!button) return;
      const tool = button.dataset.chartTool;
      if (tool === 'zoom-in') zoomBy(STEP);
      else if (tool === 'zoom-out') zoomBy(1 / STEP);
      else if (tool === 'fit') fit();
      else if (tool === 'current' && focus) centre(focus);
    });

    return {
      /**
       * Draws a stream's chart. `hooks.layout(collapsed)` fetches the layout with those states
       * collapsed, `hooks.redrawn()` is called after a new layout is drawn (to mark the current
       * state again), `hooks.failed(error)` when a layout could not be had.
       */
      show(layout, newHooks) {
        hooks = newHooks || {};
        request += 1;
        draw(layout);
        if (!layout) return;
        const fits = fitZoom() >= READABLE_ZOOM;
        if (fits) fit();
        else zoom = { k: READABLE_ZOOM, tx: 0, ty: 0 };
        apply();
        const remembered = collapsedByMachine.get(layout.machineId);
        if (remembered && [...remembered].sort().join() !== layout.collapsed.join()) relayout(remembered).catch((error) => hooks.failed?.(error));
      },
      centre,
      fit,
      zoomBy,
    };
  }

  return { create };
})();
