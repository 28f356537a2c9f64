// One sigma.js renderer (WebGL) for every network view, with a 2-D canvas
// underneath for what sigma does not draw: decision-chain lanes and
// committee groups.
import Graph from "graphology";
import Sigma from "sigma";

export interface Band {
  label: string;
  // graph coordinates
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export interface Group {
  label: string;
  nodes: string[];
  colour: string;
}

export interface Overlay {
  bands?: Band[];
  groups?: Group[];
}

export class GraphView {
  private sigma: Sigma | null = null;
  private under: HTMLCanvasElement;
  private overlay: Overlay = {};
  graph: Graph = new Graph();
  onClick: (id: string) => void = () => {};
  // syncMs is how long the latest show took before waiting for frames.
  syncMs = 0;

  constructor(private host: HTMLElement) {
    this.under = document.createElement("canvas");
    this.under.className = "under";
    host.appendChild(this.under);
  }

  // show draws g (nodes with x, y, size, color, label; edges with size,
  // color) and resolves once the first frame is on screen.
  show(g: Graph, overlay: Overlay = {}): Promise<void> {
    const t0 = performance.now();
    this.graph = g;
    this.overlay = overlay;
    if (this.sigma) {
      // One renderer for every view: its WebGL programs are compiled once.
      // setGraph processes and draws the graph at once; a setting change
      // would process it again, so only change one that differs.
      if (this.sigma.getSetting("hideEdgesOnMove") !== g.size > 5000) this.sigma.setSetting("hideEdgesOnMove", g.size > 5000);
      this.sigma.getCamera().setState({ x: 0.5, y: 0.5, ratio: 1, angle: 0 });
      this.sigma.setGraph(g);
    } else {
      const container = document.createElement("div");
      container.className = "sigma";
      this.host.appendChild(container);
      this.sigma = new Sigma(g, container, {
        defaultEdgeType: "arrow",
        renderEdgeLabels: true,
        zIndex: true,
        labelRenderedSizeThreshold: 7,
        labelFont: "system-ui, 'Noto Sans CJK SC', sans-serif",
        edgeLabelFont: "system-ui, sans-serif",
        hideEdgesOnMove: g.size > 5000,
        stagePadding: 50,
        allowInvalidContainer: true, // the pictures hide the graph area
      });
      this.sigma.on("clickNode", ({ node }) => this.onClick(node));
      this.sigma.on("afterRender", () => this.drawUnder());
    }
    this.drawUnder();
    this.syncMs = performance.now() - t0;
    return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
  }

  clear(): void {
    const ctx = this.under.getContext("2d");
    ctx?.clearRect(0, 0, this.under.width, this.under.height);
    this.graph = new Graph();
    this.overlay = {};
    this.sigma?.setGraph(this.graph);
  }

  refresh(): void {
    this.sigma?.refresh();
  }

  // screen returns where node id is drawn, in page coordinates.
  screen(id: string): { x: number; y: number } | null {
    if (!this.sigma || !this.graph.hasNode(id)) return null;
    const a = this.graph.getNodeAttributes(id);
    const p = this.sigma.graphToViewport({ x: a.x, y: a.y });
    const r = this.host.getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }

  private drawUnder(): void {
    const s = this.sigma;
    if (!s) return;
    const w = this.host.clientWidth,
      h = this.host.clientHeight,
      dpr = window.devicePixelRatio || 1;
    if (this.under.width !== w * dpr || this.under.height !== h * dpr) {
      this.under.width = w * dpr;
      this.under.height = h * dpr;
      this.under.style.width = w + "px";
      this.under.style.height = h + "px";
    }
    const ctx = this.under.getContext("2d")!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.font = "12px system-ui, 'Noto Sans CJK SC', sans-serif";
    (this.overlay.bands ?? []).forEach((b, i) => {
      const a = s.graphToViewport({ x: b.x0, y: b.y1 }),
        c = s.graphToViewport({ x: b.x1, y: b.y0 });
      const top = Math.min(a.y, c.y),
        bottom = Math.max(a.y, c.y);
      ctx.fillStyle = i % 2 ? "#eef2f7" : "#e2e9f2";
      ctx.fillRect(a.x, top, c.x - a.x, bottom - top);
      ctx.fillStyle = "#3b4a5c";
      ctx.save();
      ctx.beginPath();
      ctx.rect(a.x, top - 20, c.x - a.x, 20);
      ctx.clip();
      ctx.fillText(b.label, a.x + 4, top - 6);
      ctx.restore();
    });
    for (const g of this.overlay.groups ?? []) {
      const pts = g.nodes
        .filter((n) => this.graph.hasNode(n))
        .map((n) => {
          const a = this.graph.getNodeAttributes(n);
          return s.graphToViewport({ x: a.x, y: a.y });
        });
      if (!pts.length) continue;
      const pad = 14;
      const x0 = Math.min(...pts.map((p) => p.x)) - pad,
        x1 = Math.max(...pts.map((p) => p.x)) + pad,
        y0 = Math.min(...pts.map((p) => p.y)) - pad,
        y1 = Math.max(...pts.map((p) => p.y)) + pad;
      ctx.strokeStyle = g.colour;
      ctx.setLineDash([5, 4]);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.roundRect(x0, y0, x1 - x0, y1 - y0, 10);
      ctx.stroke();
      ctx.setLineDash([]);
      const tw = ctx.measureText(g.label).width;
      ctx.fillStyle = "rgba(255,255,255,0.85)";
      ctx.fillRect(x0 + 2, y1 + 2, tw + 4, 15);
      ctx.fillStyle = g.colour;
      ctx.fillText(g.label, x0 + 4, y1 + 13);
    }
  }
}
