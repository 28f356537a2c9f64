// kolgraph's network explorer: a plain TypeScript app over the public
// GraphQL API (/query), drawing networks with sigma.js (WebGL) and the
// territory pictures as SVG.
import Graph from "graphology";
import * as api from "./api";
import { GraphView, Group } from "./graphview";
import { t, lang } from "./i18n";
import { heatmap, scatter, MatrixDot, HeatDot } from "./pictures";
import * as Q from "./queries";

// ---------- small DOM helpers

type Attrs = Record<string, string | number | boolean | ((e: Event) => void)>;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...kids: (Node | string | null | undefined)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, ""), v);
    else if (typeof v === "boolean") {
      if (v) el.setAttribute(k, "");
    } else el.setAttribute(k, String(v));
  }
  for (const k of kids) if (k != null) el.append(k);
  return el;
}

const $ = (id: string) => document.getElementById(id)!;
const fmt = (x: number, d = 3) => (Math.round(x * 10 ** d) / 10 ** d).toString();

// ---------- what the browser tests and the figures read

interface Render {
  view: string;
  nodes: number;
  edges: number;
  fetchMs: number;
  buildMs: number;
  drawMs: number;
  syncMs: number;
  totalMs: number;
}

const probe = {
  ready: false,
  busy: 0,
  renders: [] as Render[],
  highlighted: null as null | { id: string; nodes: string[]; strength: number },
  view: "",
  nodeScreen: (id: string) => view.screen(id),
  nodeIds: () => view.graph.nodes(),
  details: "",
};
(window as unknown as { __kolgraph: typeof probe }).__kolgraph = probe;

// ---------- state

const SEG_COLOUR: Record<string, string> = { A: "#d62728", B: "#ff7f0e", C: "#1f77b4", D: "#8c9aab" };
const NO_SEG = "#c9d1da";
const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e"];
const HOP_COLOUR = ["#e4572e", "#1f77b4", "#59a14f", "#9c755f"];

const st = {
  product: "",
  territories: [] as { id: string; name: string }[],
  products: [] as { id: string; name: string }[],
  hcp: "", // the person in the details panel
};

let view: GraphView;

function setStatus(msg: string, error = false): void {
  const el = $("status");
  el.textContent = msg;
  el.className = error ? "error" : "";
}

async function run<T>(what: string, f: () => Promise<T>): Promise<T | undefined> {
  probe.busy++;
  setStatus(t("loading"));
  try {
    const r = await f();
    setStatus("");
    return r;
  } catch (e) {
    setStatus(`${t("error")}: ${(e as Error).message}`, true);
    return undefined;
  } finally {
    probe.busy--;
  }
}

function showGraphArea(graph: boolean): void {
  $("graph").hidden = !graph;
  $("picture").hidden = graph;
  if (!graph) view.clear();
}

// ---------- sign-in

function renderSignIn(): void {
  const dlg = $("signin");
  const ta = h("textarea", { id: "token", rows: 4, placeholder: "eyJhbGciOi…" });
  dlg.replaceChildren(
    h("h2", {}, t("signIn")),
    h("p", {}, t("signInHelp")),
    h("label", {}, t("token"), ta),
    h(
      "div",
      { class: "row" },
      h("button", { id: "use-token", onclick: () => ta.value.trim() && start(ta.value) }, t("useToken")),
      h("button", { id: "dev-mode", onclick: () => start(null) }, t("devMode")),
    ),
  );
  dlg.hidden = false;
  $("app").hidden = true;
}

function start(token: string | null): void {
  api.signIn(token);
  boot();
}

// ---------- views

type ViewName = "search" | "hospital" | "ego" | "paths" | "territory";
const VIEWS: ViewName[] = ["search", "hospital", "ego", "paths", "territory"];
const controls: Record<ViewName, HTMLElement> = {} as Record<ViewName, HTMLElement>;

function selectView(v: ViewName): void {
  probe.view = v;
  for (const x of VIEWS) {
    controls[x].hidden = x !== v;
    $("tab-" + x).classList.toggle("on", x === v);
  }
}

function input(id: string, attrs: Attrs = {}): HTMLInputElement {
  return h("input", { id, ...attrs });
}

function field(label: string, el: HTMLElement): HTMLElement {
  return h("label", {}, h("span", {}, label), el);
}

function buildControls(): void {
  // Search
  const q = input("q", { type: "search", placeholder: t("searchPlaceholder"), autocomplete: "off" });
  let timer = 0;
  q.addEventListener("input", () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => search(q.value), 250);
  });
  controls.search = h("div", { class: "controls" }, q, h("div", { id: "results" }));

  // Hospital
  controls.hospital = h(
    "div",
    { class: "controls" },
    field(t("hospital") + " id", input("hosp-id", { placeholder: "H001" })),
    h("button", { id: "draw-hospital", onclick: () => drawHospital(($("hosp-id") as HTMLInputElement).value.trim()) }, t("draw")),
    h("div", { class: "legend" }, `${t("legendSize")} · ${t("legendWidth")} · ${t("legendColour")}`, segLegend()),
  );

  // Ego
  const dir = h("select", { id: "ego-dir" }, h("option", { value: "BOTH" }, t("dirBoth")), h("option", { value: "OUT" }, t("dirOut")), h("option", { value: "IN" }, t("dirIn")));
  controls.ego = h(
    "div",
    { class: "controls" },
    field(t("center"), input("ego-center", { placeholder: "P000004" })),
    field(t("hops"), h("select", { id: "ego-hops" }, h("option", { value: "1" }, "1"), h("option", { value: "2", selected: true }, "2"), h("option", { value: "3" }, "3"))),
    field(t("minWeight"), input("ego-w", { type: "number", min: 0, max: 1, step: 0.05, value: 0.5 })),
    field(t("direction"), dir),
    h("button", { id: "draw-ego", onclick: () => drawEgo() }, t("draw")),
    h("div", { class: "legend" }, `${t("legendSize")} · ${t("legendWidth")} · ${t("distance")}`),
  );

  // Paths
  const via = h(
    "select",
    { id: "path-via", multiple: true, size: 4 },
    ...(["PRESIDENT", "VICE_PRESIDENT", "PHARMACY_DIRECTOR", "DEPARTMENT_HEAD", "DEPUTY_HEAD", "PT_COMMITTEE_CHAIR", "PT_COMMITTEE_MEMBER"] as const).map((p) => h("option", { value: p }, t(p))),
  );
  controls.paths = h(
    "div",
    { class: "controls" },
    field(t("target"), input("path-to", { placeholder: "P000004" })),
    field(t("fromIds"), input("path-from", { placeholder: t("fromContacts") })),
    field(t("k"), input("path-k", { type: "number", min: 1, max: 10, value: 3 })),
    field(t("avoid"), input("path-avoid", { placeholder: "P000002, …" })),
    field(t("via"), via),
    h("button", { id: "find-paths", onclick: () => findPaths() }, t("findPaths")),
    h("ol", { id: "path-list" }),
  );

  // Territory
  const terr = h("select", { id: "terr" }, ...st.territories.map((x) => h("option", { value: x.id }, `${x.id} ${x.name}`)));
  controls.territory = h(
    "div",
    { class: "controls" },
    field(t("territory"), terr),
    h("button", { id: "draw-territory", onclick: () => drawTerritory(terr.value) }, t("territoryGraph")),
    h("button", { id: "draw-matrix", onclick: () => drawMatrix(terr.value) }, t("matrix")),
    h("button", { id: "draw-heatmap", onclick: () => drawHeat(terr.value) }, t("heatmap")),
    h("div", { id: "picture-legend", class: "legend" }),
  );
}

function segLegend(): HTMLElement {
  return h("div", { class: "segs" }, ...["A", "B", "C", "D"].map((s) => h("span", { class: "seg", style: `background:${SEG_COLOUR[s]}` }, s)), h("span", { class: "seg", style: `background:${NO_SEG};color:#333` }, "–"));
}

// ---------- search

interface SearchAnswer {
  hcps: { totalCount: number; edges: { node: HCPRef }[] };
  hospitals: { totalCount: number; edges: { node: HospRef }[] };
  node: (HCPRef & HospRef & { __typename: string }) | null;
}
interface HCPRef {
  id: string;
  name: string;
  positionLabel?: string;
  hospital?: { id: string; name: string };
}
interface HospRef {
  id: string;
  name: string;
  city?: string;
  tier?: string;
}

async function search(text: string): Promise<void> {
  const q = text.trim();
  const box = $("results");
  if (!q) {
    box.replaceChildren();
    return;
  }
  const r = await run("search", () => api.gql<SearchAnswer>(Q.SEARCH, { q, id: q.toUpperCase() }));
  if (!r) return;
  const d = r.data;
  const hcps = d.hcps.edges.map((e) => e.node);
  const hosps = d.hospitals.edges.map((e) => e.node);
  if (d.node?.__typename === "HCP" && !hcps.some((x) => x.id === d.node!.id)) hcps.unshift(d.node);
  if (d.node?.__typename === "Hospital" && !hosps.some((x) => x.id === d.node!.id)) hosps.unshift(d.node);
  const hospItems = hosps.map((x) => h("li", {}, h("a", { href: "#", class: "hit-hospital", "data-id": x.id, onclick: (e) => (e.preventDefault(), openHospital(x.id)) }, `${x.name}`), h("small", {}, ` ${x.id} · ${x.city ?? ""} · ${x.tier ?? ""}`)));
  const hcpItems = hcps.map((x) =>
    h(
      "li",
      {},
      h("a", { href: "#", class: "hit-hcp", "data-id": x.id, onclick: (e) => (e.preventDefault(), openEgo(x.id)) }, x.name),
      h("small", {}, ` ${x.id} · ${x.positionLabel ?? ""} · ${x.hospital?.name ?? ""}`),
    ),
  );
  box.replaceChildren(
    h("h3", {}, `${t("hospitals")} (${d.hospitals.totalCount})`),
    hospItems.length ? h("ul", {}, ...hospItems) : h("p", {}, t("noResults")),
    h("h3", {}, `${t("hcps")} (${d.hcps.totalCount})`),
    hcpItems.length ? h("ul", {}, ...hcpItems) : h("p", {}, t("noResults")),
  );
}

function openHospital(id: string): void {
  ($("hosp-id") as HTMLInputElement).value = id;
  selectView("hospital");
  drawHospital(id);
}

function openEgo(id: string): void {
  ($("ego-center") as HTMLInputElement).value = id;
  selectView("ego");
  drawEgo();
  openDetails(id);
}

function openPaths(to: string): void {
  ($("path-to") as HTMLInputElement).value = to;
  selectView("paths");
  findPaths();
}

// ---------- networks

interface NetNode {
  distance: number | null;
  influence: number | null;
  hcp: { id: string; name: string; position: string; positionLabel?: string; department?: { id: string; name: string }; hospital: { id: string; name?: string } };
}
interface Net {
  totalNodes: number;
  totalEdges: number;
  truncated: boolean;
  graphVersion: string;
  nodes: NetNode[];
  edges: { from: string; to: string; weight: number; kind?: string }[];
}

function nodeSize(infl: number | null, big = 16): number {
  return 2.5 + big * (infl ?? 0);
}

function addEdges(g: Graph, net: Net, colour = "#aab6c3"): void {
  for (const e of net.edges) {
    if (g.hasNode(e.from) && g.hasNode(e.to) && !g.hasEdge(e.from, e.to)) {
      g.addDirectedEdgeWithKey(`${e.from}>${e.to}`, e.from, e.to, { size: 0.3 + 2.5 * e.weight, color: colour, weight: e.weight });
    }
  }
}

function netSummary(net: Net): string {
  return `${net.nodes.length} ${t("nodes")} · ${net.edges.length} ${t("edges")} · ${t("graphVersion")} ${net.graphVersion}${net.truncated ? " · " + t("truncated") : ""}`;
}

async function timed(name: string, fetch: () => Promise<unknown>, build: () => { g: Graph; overlay?: Parameters<GraphView["show"]>[1] } | null): Promise<void> {
  showGraphArea(true);
  const t0 = performance.now();
  // A large graph on screen is dropped first, so that its garbage is
  // collected while the request is out rather than in the next frames.
  if (view.graph.size > 5000) view.clear();
  const ok = await run(name, fetch);
  if (ok === undefined) return;
  const t1 = performance.now();
  const b = build();
  if (!b) return;
  const t2 = performance.now();
  await view.show(b.g, b.overlay);
  const t3 = performance.now();
  probe.renders.push({ view: name, nodes: b.g.order, edges: b.g.size, fetchMs: t1 - t0, buildMs: t2 - t1, drawMs: t3 - t2, syncMs: view.syncMs, totalMs: t3 - t0 });
}

interface HospitalAnswer {
  hospital: { id: string; name: string; committees: { id: string; name: string; kind: string; members: { role: string; hcp: { id: string } }[] }[] } | null;
  scopeGraph: Net;
  decisionChain: { stages: { order: number; kind: string; label: string; people: { role: string; hcp: { id: string } }[] }[] };
  accountMatrix: { cells: { segment: string; members: { edges: { node: { id: string } }[] } }[] };
}

const COMMITTEE_COLOUR: Record<string, string> = { pt: "#b03060", procurement: "#2e7d32", drg: "#6a3d9a", ethics: "#8d6e63" };

async function drawHospital(id: string): Promise<void> {
  if (!id) return;
  let d: HospitalAnswer | undefined;
  await timed(
    "hospital",
    async () => (d = (await api.gql<HospitalAnswer>(Q.HOSPITAL, { h: id, p: st.product || null })).data),
    () => {
      if (!d || !d.hospital) return null;
      const seg = new Map<string, string>();
      for (const c of d.accountMatrix.cells) for (const e of c.members.edges) seg.set(e.node.id, c.segment);
      // Decision chain lanes: each person in the first stage they sit in.
      // A person sits in one lane: the stage their position puts them in
      // (department head, pharmacy director, president), else the first
      // committee stage they have a seat at.
      const lane = new Map<string, number>();
      const stages = d.decisionChain.stages;
      const committeeRole = (r: string) => r === "chair" || r === "member" || r === "secretary";
      stages.forEach((s, i) => s.people.forEach((p) => !committeeRole(p.role) && !lane.has(p.hcp.id) && lane.set(p.hcp.id, i)));
      stages.forEach((s, i) => s.people.forEach((p) => lane.has(p.hcp.id) || lane.set(p.hcp.id, i)));
      const LW = 150,
        ROW = 36,
        LANE_ROWS = 8;
      const g = new Graph({ type: "directed" });
      const perLane: NetNode[][] = stages.map(() => []);
      const others = new Map<string, NetNode[]>();
      for (const n of d.scopeGraph.nodes) {
        const l = lane.get(n.hcp.id);
        if (l !== undefined) perLane[l].push(n);
        else {
          const k = n.hcp.department?.name ?? "";
          others.set(k, [...(others.get(k) ?? []), n]);
        }
      }
      const add = (n: NetNode, x: number, y: number) =>
        g.addNode(n.hcp.id, { x, y, size: nodeSize(n.influence), label: n.hcp.name, color: seg.has(n.hcp.id) ? SEG_COLOUR[seg.get(n.hcp.id)!] : NO_SEG, zIndex: lane.has(n.hcp.id) ? 2 : 1 });
      // The chain: a lane per stage, left to right, its people by influence.
      let laneRows = 1;
      perLane.forEach((ns, i) => {
        ns.sort((a, b) => (b.influence ?? 0) - (a.influence ?? 0));
        const cols = Math.ceil(ns.length / LANE_ROWS);
        laneRows = Math.max(laneRows, Math.ceil(ns.length / Math.max(cols, 1)));
        ns.forEach((n, j) => add(n, i * LW + LW / 2 + ((j % cols) - (cols - 1) / 2) * (LW / (cols + 1)), -Math.floor(j / cols) * ROW - ROW / 2));
      });
      const laneBottom = -laneRows * ROW;
      // Everyone else below: a block per department, wrapped to the chain's width.
      const width = Math.max(stages.length * LW, 900);
      let bx = 0,
        by = laneBottom - 70,
        rowH = 0;
      const deptBands: { label: string; x0: number; x1: number; y0: number; y1: number }[] = [];
      for (const [dept, ns] of [...others.entries()].sort()) {
        ns.sort((a, b) => (b.influence ?? 0) - (a.influence ?? 0));
        const cols = Math.max(2, Math.ceil(Math.sqrt(ns.length)));
        const bw = cols * 22,
          bh = Math.ceil(ns.length / cols) * 22;
        if (bx > 0 && bx + bw > width) {
          bx = 0;
          by -= rowH + 50;
          rowH = 0;
        }
        ns.forEach((n, j) => add(n, bx + (j % cols) * 22, by - Math.floor(j / cols) * 22));
        deptBands.push({ label: dept, x0: bx - 11, x1: bx + bw - 11, y0: by - bh + 11, y1: by + 11 });
        bx += bw + 40;
        rowH = Math.max(rowH, bh);
      }
      addEdges(g, d.scopeGraph);
      const groups: Group[] = d.hospital.committees.map((c) => ({ label: c.name, nodes: c.members.map((m) => m.hcp.id), colour: COMMITTEE_COLOUR[c.kind] ?? "#555" }));
      const bands = [...stages.map((s, i) => ({ label: `${s.order}. ${s.label}`, x0: i * LW, x1: (i + 1) * LW, y0: laneBottom, y1: 0 })), ...deptBands];
      $("caption").textContent = `${d.hospital.name} (${d.hospital.id}) · ${netSummary(d.scopeGraph)}`;
      return { g, overlay: { bands, groups } };
    },
  );
}

async function drawEgo(): Promise<void> {
  const c = ($("ego-center") as HTMLInputElement).value.trim();
  if (!c) return;
  let net: Net | undefined;
  await timed(
    "ego",
    async () =>
      (net = (
        await api.gql<{ neighborhood: Net }>(Q.EGO, {
          c,
          hops: Number(($("ego-hops") as HTMLSelectElement).value),
          w: Number(($("ego-w") as HTMLInputElement).value) || 0,
          d: ($("ego-dir") as HTMLSelectElement).value,
        })
      ).data.neighborhood),
    () => {
      if (!net) return null;
      const g = new Graph({ type: "directed" });
      const rings = new Map<number, NetNode[]>();
      for (const n of net.nodes) rings.set(n.distance ?? 0, [...(rings.get(n.distance ?? 0) ?? []), n]);
      for (const [d, ns] of rings) {
        ns.sort((a, b) => (a.hcp.hospital.id + a.hcp.id).localeCompare(b.hcp.hospital.id + b.hcp.id));
        ns.forEach((n, i) => {
          const a = (2 * Math.PI * i) / ns.length + d * 0.3;
          g.addNode(n.hcp.id, { x: d * 100 * Math.cos(a), y: d * 100 * Math.sin(a), size: nodeSize(n.influence, d === 0 ? 18 : 14) + (d === 0 ? 4 : 0), label: n.hcp.name, color: HOP_COLOUR[d] ?? "#888", zIndex: 3 - d });
        });
      }
      addEdges(g, net);
      $("caption").textContent = `${net.nodes[0]?.hcp.name ?? c} · ${netSummary(net)}`;
      return { g };
    },
  );
}

async function drawTerritory(id: string): Promise<void> {
  let net: Net | undefined;
  await timed(
    "territory",
    async () => (net = (await api.gql<{ scopeGraph: Net }>(Q.TERRITORY, { t: id })).data.scopeGraph),
    () => {
      if (!net) return null;
      // Hospitals on a grid; in each, a sunflower of its HCPs, the most
      // influential at the centre (the nodes come best first). O(n): no
      // force layout to wait for.
      const byHosp = new Map<string, NetNode[]>();
      for (const n of net.nodes) byHosp.set(n.hcp.hospital.id, [...(byHosp.get(n.hcp.hospital.id) ?? []), n]);
      const hosps = [...byHosp.keys()].sort();
      const cols = Math.ceil(Math.sqrt(hosps.length));
      const g = new Graph({ type: "directed" });
      hosps.forEach((hid, i) => {
        const cx = (i % cols) * 420,
          cy = -Math.floor(i / cols) * 420;
        byHosp.get(hid)!.forEach((n, j) => {
          const r = 9 * Math.sqrt(j),
            a = j * 2.39996;
          g.addNode(n.hcp.id, { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a), size: nodeSize(n.influence, 10), label: n.hcp.name, color: PALETTE[i % PALETTE.length] });
        });
      });
      addEdges(g, net, "#d3dae2");
      $("caption").textContent = `${id} · ${hosps.length} ${t("hospitals")} · ${netSummary(net)}`;
      return { g };
    },
  );
}

// ---------- access paths

interface Path {
  id: string;
  strength: number;
  graphVersion: string;
  computedAt: string;
  source: { id: string; name: string };
  target: { id: string; name: string };
  entry: { strength: number } | null;
  hops: { from: { id: string; name: string; positionLabel: string }; to: { id: string; name: string; positionLabel: string }; kind: string; weight: number; evidence: string | null }[];
}

const ids = (s: string) =>
  s
    .split(/[\s,，;]+/)
    .map((x) => x.trim())
    .filter(Boolean);

let paths: Path[] = [];

async function findPaths(): Promise<void> {
  const to = ($("path-to") as HTMLInputElement).value.trim();
  if (!to) return;
  const from = ids(($("path-from") as HTMLInputElement).value);
  const avoid = ids(($("path-avoid") as HTMLInputElement).value);
  const via = [...($("path-via") as HTMLSelectElement).selectedOptions].map((o) => o.value);
  await timed(
    "paths",
    async () =>
      (paths = (
        await api.gql<{ strongestPaths: Path[] }>(Q.PATHS, {
          to,
          from: from.length ? from : null,
          k: Number(($("path-k") as HTMLInputElement).value) || 3,
          avoid: avoid.length ? avoid : null,
          via: via.length ? via : null,
        })
      ).data.strongestPaths),
    () => {
      const list = $("path-list");
      list.replaceChildren(
        ...paths.map((p, i) =>
          h(
            "li",
            { class: "path", "data-path-id": p.id, "data-index": i, onclick: () => highlight(i) },
            h("b", {}, `${t("strength")} ${fmt(p.strength, 4)}`),
            " ",
            h("button", { class: "copy", onclick: (e) => (e.stopPropagation(), copy(p.id, e.target as HTMLElement)) }, t("copyId")),
            h("div", { class: "hops" }, [...(p.entry ? [`${t("me")} →(${fmt(p.entry.strength, 2)})`] : []), p.source.name, ...p.hops.map((x) => `→(${x.kind} ${fmt(x.weight, 2)}) ${x.to.name}`)].join(" ")),
            h("code", {}, p.id),
          ),
        ),
      );
      if (!paths.length) {
        list.replaceChildren(h("li", { class: "no-paths" }, t(from.length ? "noPaths" : "noPathsFromContacts")));
        probe.highlighted = null;
        view.clear();
        return null;
      }
      // Paths side by side, aligned at the target on the right.
      const g = new Graph({ type: "directed" });
      const longest = Math.max(...paths.map((p) => p.hops.length));
      paths.forEach((p, row) => {
        const seq = [p.source, ...p.hops.map((x) => x.to)];
        seq.forEach((n, j) => {
          if (!g.hasNode(n.id)) g.addNode(n.id, { x: (longest - (seq.length - 1 - j)) * 120, y: n.id === p.target.id ? 0 : -(row - (paths.length - 1) / 2) * 70, size: 8, label: n.name, color: NO_SEG });
        });
        p.hops.forEach((x) => {
          if (!g.hasEdge(x.from.id, x.to.id)) g.addDirectedEdgeWithKey(`${x.from.id}>${x.to.id}`, x.from.id, x.to.id, { size: 1 + 3 * x.weight, color: "#c5cdd6", label: fmt(x.weight, 2), weight: x.weight });
        });
      });
      $("caption").textContent = `${t("pathsTo")} ${paths[0].target.name} (${paths[0].target.id}) · ${paths.length} · ${t("graphVersion")} ${paths[0].graphVersion}`;
      return { g };
    },
  );
  if (paths.length) highlight(0);
}

function highlight(i: number): void {
  const p = paths[i];
  if (!p) return;
  const g = view.graph;
  const on = new Set(p.hops.map((x) => `${x.from.id}>${x.to.id}`));
  const nodes = [p.source.id, ...p.hops.map((x) => x.to.id)];
  g.forEachEdge((e, a) => g.mergeEdgeAttributes(e, { color: on.has(e) ? "#e4572e" : "#c5cdd6", size: on.has(e) ? 2 + 4 * a.weight : 1 + 2 * a.weight, zIndex: on.has(e) ? 2 : 0 }));
  g.forEachNode((n) => g.mergeNodeAttributes(n, { color: nodes.includes(n) ? "#e4572e" : NO_SEG, highlighted: nodes.includes(n), zIndex: nodes.includes(n) ? 2 : 0 }));
  view.refresh();
  document.querySelectorAll("#path-list li").forEach((li, j) => li.classList.toggle("on", j === i));
  probe.highlighted = { id: p.id, nodes, strength: p.strength };
}

function copy(text: string, btn: HTMLElement): void {
  const done = () => {
    btn.textContent = t("copied");
    setTimeout(() => (btn.textContent = t("copyId")), 1500);
  };
  if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, () => fallbackCopy(text, done));
  else fallbackCopy(text, done);
}

function fallbackCopy(text: string, done: () => void): void {
  const ta = h("textarea", {}, text);
  document.body.append(ta);
  ta.select();
  document.execCommand("copy");
  ta.remove();
  done();
}

// ---------- details panel

interface Details {
  hcp: {
    id: string;
    name: string;
    role: string;
    positionLabel: string;
    specialty: string;
    isKOL: boolean;
    kolLevel: string | null;
    kolEvidence: string[];
    department: { id: string; name: string };
    hospital: { id: string; name: string };
    committees: { role: string; committee: { id: string; name: string; kind: string } }[];
    influence: { value: number; rank: number; percentile: number; scopeSize: number; graphVersion: string; components: { name: string; raw: number; normalized: number; weight: number; contribution: number }[] } | null;
  } | null;
}
interface SegmentAnswer {
  accountMatrix: { cells: { segment: string; members: { edges: { node: { id: string; segment: string; playbook: string; accessFirst: boolean; cadence: { label: string; contactLabel: string } } }[] } }[] };
}

async function openDetails(id: string): Promise<void> {
  st.hcp = id;
  const panel = $("details");
  const r = await run("details", async () => {
    const d = (await api.gql<Details>(Q.DETAILS, { id })).data;
    if (!d.hcp) return { d, seg: undefined };
    const seg = (await api.gql<SegmentAnswer>(Q.SEGMENT, { h: d.hcp.hospital.id, p: st.product || null })).data;
    return { d, seg };
  });
  if (!r || !r.d.hcp || st.hcp !== id) return;
  const p = r.d.hcp;
  let member: SegmentAnswer["accountMatrix"]["cells"][0]["members"]["edges"][0]["node"] | undefined;
  for (const c of r.seg?.accountMatrix.cells ?? []) for (const e of c.members.edges) if (e.node.id === id) member = e.node;
  const inf = p.influence;
  const contactBox = h("div", { id: "contact" }, h("div", {}, `phone ${t("masked")} · email ${t("masked")} · WeChat ${t("masked")}`), h("button", { id: "show-contact", onclick: () => showContact(id) }, t("showContact")));
  panel.replaceChildren(
    h("div", {},
    h("h2", { id: "details-name", "data-id": p.id }, p.name),
    h("p", {}, `${p.id} · ${p.positionLabel || p.role} · ${p.specialty}`),
    h("p", {}, `${p.hospital.name} · ${t("department")} ${p.department.name}`),
    p.isKOL ? h("p", { class: "kol" }, `${t("kol")} ${p.kolLevel ?? ""} · ${p.kolEvidence.join(", ")}`) : null,
    h("h3", {}, t("influence")),
    inf
      ? h(
          "div",
          {},
          h("p", { class: "big" }, `${fmt(inf.value)} · ${t("rank")} ${inf.rank}/${inf.scopeSize} · ${t("percentile")} ${fmt(inf.percentile, 1)}`),
          h("h4", {}, t("components")),
          h(
            "table",
            { class: "components" },
            h("tr", {}, h("th", {}, ""), h("th", {}, "raw"), h("th", {}, "norm"), h("th", {}, "w"), h("th", {}, "=")),
            ...inf.components.map((c) =>
              h("tr", {}, h("td", {}, c.name), h("td", {}, fmt(c.raw)), h("td", {}, fmt(c.normalized)), h("td", {}, fmt(c.weight, 2)), h("td", {}, h("span", { class: "bar", style: `width:${Math.round(c.contribution * 200)}px` }), fmt(c.contribution))),
            ),
          ),
          h("small", {}, `${t("graphVersion")} ${inf.graphVersion}`),
        )
      : h("p", {}, t("none")),
    h("h3", {}, t("segmentHere")),
    member
      ? h(
          "div",
          { id: "segment", "data-segment": member.segment },
          h("p", {}, h("span", { class: "seg", style: `background:${SEG_COLOUR[member.segment]}` }, member.segment), ` ${t("cadence")}: ${member.cadence.label} · ${member.cadence.contactLabel}`),
          h("p", {}, `${t("playbook")}: ${member.playbook}`),
          member.accessFirst ? h("p", { class: "warn" }, t("accessFirst")) : null,
        )
      : h("p", { id: "segment" }, t("notInMatrix")),
    h("h3", {}, t("committees")),
    p.committees.length ? h("ul", {}, ...p.committees.map((c) => h("li", {}, `${c.committee.name} · ${c.role}`))) : h("p", {}, t("none")),
    h("h3", {}, t("contact")),
    contactBox,
    h(
      "div",
      { class: "row" },
      h("button", { onclick: () => openHospital(p.hospital.id) }, t("openHospital")),
      h("button", { onclick: () => openEgo(p.id) }, t("openEgo")),
      h("button", { id: "paths-here", onclick: () => openPaths(p.id) }, t("pathsHere")),
    ),
    ),
  );
  probe.details = id;
}

async function showContact(id: string): Promise<void> {
  const r = await run("contact", () => api.gql<{ hcp: { phone: string | null; email: string | null; wechat: string | null } | null }>(Q.CONTACT, { id }));
  const box = $("contact");
  if (!r) return;
  if (r.errors.some((e) => e.extensions?.code === "FORBIDDEN")) {
    box.replaceChildren(h("div", { class: "masked", "data-masked": "role" }, `phone ${t("masked")} · email ${t("masked")} · WeChat ${t("masked")}`), h("p", {}, t("hiddenForRole")));
    return;
  }
  const c = r.data.hcp;
  box.replaceChildren(h("div", { "data-masked": "no" }, `phone ${c?.phone ?? "–"} · email ${c?.email ?? "–"} · WeChat ${c?.wechat ?? "–"}`));
}

// ---------- territory pictures

interface MatrixHead {
  accountMatrix: { scopeName: string; classifiedCount: number; unclassifiedCount: number; graphVersion: string; potentialCutOff: { threshold: number }; influenceCutOff: { threshold: number }; cells: { segment: string; count: number }[] };
}
interface MatrixPage {
  accountMatrix: { cell: { members: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: MatrixDot }[] } } };
}

async function drawMatrix(tid: string): Promise<void> {
  showGraphArea(false);
  const t0 = performance.now();
  const r = await run("matrix", async () => {
    const head = (await api.gql<MatrixHead>(Q.MATRIX_HEAD, { t: tid, p: st.product || null })).data.accountMatrix;
    const dots: MatrixDot[] = [];
    for (const c of head.cells) {
      let after: string | null = null;
      while (c.count > 0) {
        const pg: MatrixPage = (await api.gql<MatrixPage>(Q.MATRIX_CELL, { t: tid, p: st.product || null, s: c.segment, after })).data;
        dots.push(...pg.accountMatrix.cell.members.edges.map((e) => e.node));
        if (!pg.accountMatrix.cell.members.pageInfo.hasNextPage) break;
        after = pg.accountMatrix.cell.members.pageInfo.endCursor;
      }
    }
    return { head, dots };
  });
  if (!r) return;
  const box = $("picture");
  box.replaceChildren(
    scatter(r.dots, r.head.potentialCutOff.threshold, r.head.influenceCutOff.threshold, SEG_COLOUR, { x: t("potential"), y: t("influenceAxis"), cutoff: t("cutoff") }, (id) => openDetails(id)),
  );
  $("caption").textContent = `${t("matrix")} · ${r.head.scopeName} · ${r.head.classifiedCount} ${t("accounts")} (${r.head.cells.map((c) => `${c.segment} ${c.count}`).join(", ")}) · ${t("unclassified")} ${r.head.unclassifiedCount} · ${t("graphVersion")} ${r.head.graphVersion}`;
  $("picture-legend").replaceChildren(segLegend());
  probe.renders.push({ view: "matrix", nodes: r.dots.length, edges: 0, fetchMs: 0, buildMs: 0, drawMs: 0, syncMs: 0, totalMs: performance.now() - t0 });
}

interface HeatAnswer {
  accountMatrix: { heatMap: { bins: number; edges: number[]; min: number; max: number; unknown: number; cells: HeatDot[] } | null };
}

async function drawHeat(tid: string): Promise<void> {
  showGraphArea(false);
  const r = await run("heat", () => api.gql<HeatAnswer>(Q.HEAT, { t: tid, p: st.product || null }));
  const hm = r?.data.accountMatrix.heatMap;
  if (!hm) return;
  $("picture").replaceChildren(heatmap(hm.cells, hm.bins, { x: t("policy"), y: t("competitor"), title: t("heat") }, (d) => openHospital(d.hospital.id)));
  $("caption").textContent = `${t("heatmap")} · ${tid} · ${hm.cells.length} · ${t("heat")}`;
  $("picture-legend").replaceChildren(h("p", {}, t("bubble")));
}

// ---------- boot

async function boot(): Promise<void> {
  const s = api.session();
  if (!s) return renderSignIn();
  $("signin").hidden = true;
  $("app").hidden = false;
  const c = api.claims();
  $("who").textContent = s.dev ? `${t("signedInAs")} ${t("devUser")}` : `${t("signedInAs")} ${c.sub ?? "?"} (${c.role ?? "?"}${c.territories ? " · " + c.territories.join(", ") : ""})`;
  const r = await run("start", () => api.gql<{ territories: { id: string; name: string }[]; products: { id: string; name: string }[] }>(Q.START));
  if (!r) {
    probe.ready = true;
    return;
  }
  st.territories = r.data.territories;
  st.products = r.data.products;
  const prod = $("product") as HTMLSelectElement;
  prod.replaceChildren(h("option", { value: "" }, t("noProduct")), ...st.products.map((p) => h("option", { value: p.id }, `${p.id} ${p.name}`)));
  prod.onchange = () => {
    // Segments follow the product: redraw what depends on it.
    st.product = prod.value;
    const hosp = ($("hosp-id") as HTMLInputElement).value.trim();
    if (probe.view === "hospital" && hosp) drawHospital(hosp);
    if (st.hcp) openDetails(st.hcp);
  };
  buildControls();
  $("controls").replaceChildren(...VIEWS.map((v) => controls[v]));
  selectView("search");
  probe.ready = true;
  // The territory picture sizes HCPs by their INFLUENCE in the territory,
  // which the service computes once per graph version (seconds for a
  // territory of 2,000 HCPs): ask for it now, answer unused, so that the
  // picture is quick when it is opened.
  if (st.territories.length) api.gql(Q.WARM, { t: st.territories[0].id }).catch(() => undefined);
}

function layout(): void {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = t("title");
  document.body.replaceChildren(
    h("div", { id: "signin", class: "signin", hidden: true }),
    h(
      "div",
      { id: "app", hidden: true },
      h(
        "header",
        {},
        h("h1", {}, t("title")),
        h("nav", {}, ...VIEWS.map((v) => h("button", { id: "tab-" + v, onclick: () => selectView(v) }, t(v)))),
        h("label", { class: "product" }, t("product"), h("select", { id: "product" })),
        h("span", { id: "who" }),
        h("a", { href: "/playground" }, t("playground")),
        h("button", { id: "sign-out", onclick: () => (api.signOut(), location.reload()) }, t("signOut")),
      ),
      h(
        "main",
        {},
        h("aside", { id: "controls" }),
        h("section", { id: "stage" }, h("div", { id: "caption" }), h("div", { id: "graph" }), h("div", { id: "picture", hidden: true }), h("div", { id: "status" })),
        h("aside", { id: "details" }, h("p", { class: "hint" }, t("clickNode"))),
      ),
    ),
  );
  view = new GraphView($("graph"));
  view.onClick = (id) => openDetails(id);
}

layout();
boot();
