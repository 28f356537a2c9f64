// The territory pictures, drawn as SVG (a few thousand elements at most,
// each a clickable account): the account matrix as a scatter plot and the
// heat map as a bubble chart of its three factors.

const NS = "http://www.w3.org/2000/svg";

function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

export interface MatrixDot {
  id: string;
  name: string;
  potential: number;
  influence: number;
  segment: string;
  hospital: { id: string };
}

export interface HeatDot {
  id: string;
  name: string;
  potential: number | null;
  policySensitivity: number | null;
  competitorPenetration: number | null;
  value: number | null;
  bin: number;
  hospital: { id: string; name: string };
}

const W = 900,
  H = 600,
  M = { l: 70, r: 20, t: 20, b: 56 };

function frame(xLabel: string, yLabel: string): SVGSVGElement {
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "picture" });
  svg.append(
    s("rect", { x: M.l, y: M.t, width: W - M.l - M.r, height: H - M.t - M.b, fill: "#fbfcfd", stroke: "#c5cdd6" }),
    s("text", { x: (W + M.l) / 2, y: H - 14, "text-anchor": "middle", class: "axis" }, xLabel),
    s("text", { x: 18, y: (H - M.b) / 2, transform: `rotate(-90 18 ${(H - M.b) / 2})`, "text-anchor": "middle", class: "axis" }, yLabel),
  );
  return svg;
}

function ticks(svg: SVGSVGElement, x: (v: number) => number, y: (v: number) => number, xs: number[], ys: number[], fx: (v: number) => string): void {
  for (const v of xs) svg.append(s("text", { x: x(v), y: H - M.b + 16, "text-anchor": "middle", class: "tick" }, fx(v)));
  for (const v of ys) svg.append(s("text", { x: M.l - 6, y: y(v) + 4, "text-anchor": "end", class: "tick" }, String(Math.round(v * 100) / 100)));
}

// scatter: x = potential on a square-root scale (it is skewed and may be
// 0), y = influence; dashed lines at the cut-offs; one circle per account.
export function scatter(dots: MatrixDot[], potCut: number, inflCut: number, colours: Record<string, string>, labels: { x: string; y: string; cutoff: string }, click: (id: string) => void): SVGSVGElement {
  const svg = frame(labels.x, labels.y);
  const maxP = Math.max(1, ...dots.map((d) => d.potential), potCut);
  const maxI = Math.max(0.01, ...dots.map((d) => d.influence), inflCut);
  const x = (v: number) => M.l + (Math.sqrt(Math.max(v, 0)) / Math.sqrt(maxP)) * (W - M.l - M.r);
  const y = (v: number) => H - M.b - (v / maxI) * (H - M.t - M.b);
  const xt = [0, 0.05, 0.2, 0.45, 0.8, 1].map((f) => maxP * f);
  ticks(svg, x, y, xt, [0, maxI / 4, maxI / 2, (3 * maxI) / 4, maxI], (v) => String(Math.round(v)));
  svg.append(
    s("line", { x1: x(potCut), x2: x(potCut), y1: M.t, y2: H - M.b, class: "cut" }),
    s("line", { x1: M.l, x2: W - M.r, y1: y(inflCut), y2: y(inflCut), class: "cut" }),
    s("text", { x: x(potCut) + 4, y: M.t + 12, class: "tick" }, `${labels.cutoff} ${Math.round(potCut * 10) / 10}`),
    s("text", { x: W - M.r - 4, y: y(inflCut) - 4, "text-anchor": "end", class: "tick" }, `${labels.cutoff} ${Math.round(inflCut * 1000) / 1000}`),
  );
  const g = s("g", {});
  for (const d of dots) {
    const c = s("circle", { cx: x(d.potential), cy: y(d.influence), r: 3.5, fill: colours[d.segment] ?? "#999", class: "dot", "data-id": d.id, "data-segment": d.segment });
    c.append(s("title", {}, `${d.name} (${d.id}) · ${d.segment} · ${Math.round(d.potential * 10) / 10} · ${Math.round(d.influence * 1000) / 1000}`));
    c.addEventListener("click", () => click(d.id));
    g.append(c);
  }
  svg.append(g);
  return svg;
}

// heatmap: each department a bubble at (policy sensitivity, competitor
// penetration), its area the potential and its colour the heat bin, so
// all three factors of heat = potential x sensitivity x penetration show.
export function heatmap(cells: HeatDot[], bins: number, labels: { x: string; y: string; title: string }, click: (d: HeatDot) => void): SVGSVGElement {
  const svg = frame(labels.x, labels.y);
  const x = (v: number) => M.l + v * (W - M.l - M.r);
  const y = (v: number) => H - M.b - v * (H - M.t - M.b);
  ticks(svg, x, y, [0, 0.25, 0.5, 0.75, 1], [0, 0.25, 0.5, 0.75, 1], (v) => String(v));
  const known = cells.filter((c) => c.policySensitivity != null && c.competitorPenetration != null);
  const maxP = Math.max(1, ...known.map((c) => c.potential ?? 0));
  const colour = (b: number) => (b <= 0 ? "#d5dbe2" : `hsl(${48 - (40 * (b - 1)) / Math.max(1, bins - 1)}, 90%, ${62 - (22 * (b - 1)) / Math.max(1, bins - 1)}%)`);
  const g = s("g", {});
  for (const c of [...known].sort((a, b) => (b.potential ?? 0) - (a.potential ?? 0))) {
    const r = 2 + 22 * Math.sqrt((c.potential ?? 0) / maxP);
    const el = s("circle", { cx: x(c.policySensitivity!), cy: y(c.competitorPenetration!), r, fill: colour(c.bin), "fill-opacity": 0.8, stroke: "#5b6b7c", "stroke-width": 0.5, class: "bubble", "data-id": c.id, "data-bin": c.bin });
    el.append(s("title", {}, `${c.name} · ${c.hospital.name} · heat ${c.value == null ? "?" : Math.round(c.value * 10) / 10} (bin ${c.bin})`));
    el.addEventListener("click", () => click(c));
    g.append(el);
  }
  svg.append(g, s("text", { x: M.l + 6, y: M.t + 14, class: "tick" }, labels.title));
  return svg;
}
