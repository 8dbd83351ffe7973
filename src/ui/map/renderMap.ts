import { ROOT } from '../../kernel/namespaces.js';
import type { Lang } from '../../i18n/lang.js';
import { tu } from '../../i18n/uiMessages.js';
import { fitLine, lineWidth, padLine, seg, type Line, type Seg } from '../lines.js';
import type { TopoLink, TopoNs, TopoRoute, Topology } from '../../kernel/topology.js';

// Draws the topology: namespaces as boxes, veth pairs as lines between them, tunnels with
// their outer endpoints, addresses on the link ends, UP/DOWN state. Pure: (topology, width) -> lines.
// The article's shape (a root namespace with namespaces cabled to it) is drawn as a star:
// left column, root in the middle, right column. Anything else, or a narrow screen, as a list.

const GAP = 4;
const STAR_MIN_WIDTH = 60;

function nsTitle(name: string, lang: Lang): string {
  return name === ROOT ? tu(lang, 'ui_map_root') : name;
}

function stateSegs(l: TopoLink): Seg[] {
  const kind = l.kind === 'veth' ? '' : ` ${l.kind}`;
  return [seg(l.name, 'title'), seg(kind, 'dim'), seg(' '), l.up ? seg('UP', 'ok') : seg('DOWN', 'bad')];
}

function addrLines(l: TopoLink): Line[] {
  const out: Line[] = [];
  for (const a of l.addrs) {
    const [local, peer] = a.split(' peer ');
    out.push([seg(local!)]);
    if (peer) out.push([seg('peer ', 'dim'), seg(peer)]);
  }
  return out;
}

function tunnelLines(l: TopoLink, inner: number): Line[] {
  if (!l.tunnel) return [];
  const one: Line = [seg(l.tunnel.local, 'accent'), seg('⇢', 'dim'), seg(l.tunnel.remote, 'accent')];
  if (lineWidth(one) <= inner) return [one];
  return [
    [seg('local ', 'dim'), seg(l.tunnel.local, 'accent')],
    [seg('remote ', 'dim'), seg(l.tunnel.remote, 'accent')],
  ];
}

/** The lines one link takes inside a box `inner` columns wide. */
function entry(l: TopoLink, inner: number): Line[] {
  return [stateSegs(l), ...addrLines(l), ...tunnelLines(l, inner)].map((x) => fitLine(x, inner));
}

/** A route as one line if it fits, else two. */
function routeLines(r: TopoRoute, inner: number): Line[] {
  const via = r.via ? `via ${r.via}` : r.dev ? `dev ${r.dev}` : '';
  const one: Line = [seg('→ ', 'dim'), seg(r.dst), seg(via ? ` ${via}` : '', 'dim')];
  if (lineWidth(one) <= inner || !via) return [fitLine(one, inner)];
  return [fitLine([seg('→ ', 'dim'), seg(r.dst)], inner), fitLine([seg(`  ${via}`, 'dim')], inner)];
}

// ---- a column of boxes ----
class Column {
  lines: Line[] = [];
  /** rows where a cable leaves this column's box on the left / right edge */
  exits = new Map<number, { left?: boolean; right?: boolean }>();
  private open = false;
  constructor(readonly width: number) {}
  get inner() {
    return this.width - 4;
  }
  get row() {
    return this.lines.length;
  }
  openBox(title: string) {
    const t = fitLine([seg(` ${title} `, 'title')], Math.max(1, this.width - 3));
    const rest = Math.max(0, this.width - 2 - lineWidth(t));
    this.lines.push([seg('┌─', 'dim'), ...t, seg('─'.repeat(Math.max(0, rest - 1)) + '┐', 'dim')]);
    this.open = true;
  }
  closeBox() {
    if (!this.open) return;
    this.lines.push([seg('└' + '─'.repeat(this.width - 2) + '┘', 'dim')]);
    this.open = false;
  }
  get isOpen() {
    return this.open;
  }
  add(content: Line) {
    this.lines.push(this.open ? [seg('│ ', 'dim'), ...padLine(content, this.inner), seg(' │', 'dim')] : padLine(content, this.width));
  }
  padTo(row: number) {
    while (this.row < row) this.add([]);
  }
  mark(row: number, side: 'left' | 'right') {
    this.exits.set(row, { ...this.exits.get(row), [side]: true });
  }
  /** The final lines, with ├/┤ where cables attach. */
  render(height: number): Line[] {
    const out = [...this.lines];
    while (out.length < height) out.push([seg(' '.repeat(this.width))]);
    return out.map((l, i) => {
      const ex = this.exits.get(i);
      if (!ex) return l;
      const copy = [...l];
      if (ex.left && copy[0]) copy[0] = { ...copy[0], text: '┤' + copy[0].text.slice(1) };
      const last = copy[copy.length - 1];
      if (ex.right && last) copy[copy.length - 1] = { ...last, text: last.text.slice(0, -1) + '├' };
      return copy;
    });
  }
}

interface Cable {
  row: number;
  side: 'left' | 'right';
  live: boolean;
}

function isStar(t: Topology): boolean {
  const others = t.namespaces.filter((n) => n.name !== ROOT);
  if (others.length === 0 || others.length > 4) return false;
  // every veth must have its other end in root (or none known yet)
  return others.every((ns) => ns.links.every((l) => !l.peer || l.peer.ns === ROOT));
}

function renderStar(t: Topology, width: number, lang: Lang): Line[] {
  const colW = Math.floor((width - 2 * GAP) / 3);
  const root: TopoNs = t.namespaces.find((n) => n.name === ROOT) ?? { name: ROOT, links: [], routes: [] };
  const others = t.namespaces.filter((n) => n.name !== ROOT);
  const left = others.filter((_, i) => i % 2 === 0);
  const right = others.filter((_, i) => i % 2 === 1);
  const cols = { left: new Column(colW), root: new Column(colW), right: new Column(colW) };
  const cables: Cable[] = [];
  const placedRoot = new Set<string>();
  cols.root.openBox(nsTitle(ROOT, lang));

  const side = (which: 'left' | 'right', list: TopoNs[]) => {
    const col = cols[which];
    for (const ns of list) {
      const boxStart = col.row;
      let opened = false;
      for (const l of ns.links) {
        const rootPeer = l.peer && l.peer.ns === ROOT ? root.links.find((r) => r.name === l.peer!.name) : undefined;
        if (rootPeer && !placedRoot.has(rootPeer.name)) {
          const row = Math.max(col.row + (opened ? 0 : 1), cols.root.row);
          if (!opened) {
            col.padTo(Math.max(boxStart, row - 1));
            col.openBox(ns.name);
            opened = true;
          }
          col.padTo(row);
          cols.root.padTo(row);
          const a = entry(l, col.inner);
          const b = entry(rootPeer, cols.root.inner);
          a.forEach((x) => col.add(x));
          b.forEach((x) => cols.root.add(x));
          placedRoot.add(rootPeer.name);
          col.mark(row, which === 'left' ? 'right' : 'left');
          cols.root.mark(row, which);
          cables.push({ row, side: which, live: l.up && rootPeer.up });
        } else {
          if (!opened) {
            col.openBox(ns.name);
            opened = true;
          }
          entry(l, col.inner).forEach((x) => col.add(x));
        }
      }
      if (!opened) col.openBox(ns.name);
      if (ns.links.length === 0 && ns.routes.length === 0) col.add([seg('—', 'dim')]);
      for (const r of ns.routes) routeLines(r, col.inner).forEach((x) => col.add(x));
      col.closeBox();
    }
  };
  side('left', left);
  side('right', right);
  for (const l of root.links) if (!placedRoot.has(l.name)) entry(l, cols.root.inner).forEach((x) => cols.root.add(x));
  for (const r of root.routes ?? []) routeLines(r, cols.root.inner).forEach((x) => cols.root.add(x));
  if (root.links.length === 0 && !(root.routes ?? []).length) cols.root.add([seg('—', 'dim')]);
  cols.root.closeBox();

  const height = Math.max(cols.left.row, cols.root.row, cols.right.row);
  const [L, R, M] = [cols.left.render(height), cols.right.render(height), cols.root.render(height)];
  const gap = (row: number, s: 'left' | 'right'): Seg => {
    const c = cables.find((x) => x.row === row && x.side === s);
    if (!c) return seg(' '.repeat(GAP));
    return c.live ? seg('─'.repeat(GAP), 'ok') : seg('╌'.repeat(GAP), 'dim');
  };
  const lines: Line[] = [];
  for (let i = 0; i < height; i++) lines.push([...L[i]!, gap(i, 'left'), ...M[i]!, gap(i, 'right'), ...R[i]!]);
  return lines;
}

function renderList(t: Topology, width: number, lang: Lang): Line[] {
  const col = new Column(width);
  for (const ns of t.namespaces) {
    col.openBox(nsTitle(ns.name, lang));
    if (ns.links.length === 0 && ns.routes.length === 0) col.add([seg('—', 'dim')]);
    for (const l of ns.links) {
      const parts: Seg[] = [...stateSegs(l)];
      for (const a of l.addrs) parts.push(seg(' '), seg(a));
      if (l.peer) parts.push(seg(' ⇄ ', 'dim'), seg(`${l.peer.name}@${nsTitle(l.peer.ns, lang)}`));
      if (l.tunnel) parts.push(seg(' '), seg(l.tunnel.local, 'accent'), seg('⇢', 'dim'), seg(l.tunnel.remote, 'accent'));
      col.add(parts);
    }
    for (const r of ns.routes) col.add(routeLines(r, col.inner * 4)[0]!);
    col.closeBox();
  }
  return col.render(col.row);
}

/** Tunnel pairs under the boxes: which tunnel device talks to which, outer addresses. */
function tunnelSummary(t: Topology, width: number): Line[] {
  const ends = t.namespaces.flatMap((ns) => ns.links.filter((l) => l.tunnel).map((l) => ({ ns: ns.name, l })));
  const out: Line[] = [];
  const used = new Set<number>();
  ends.forEach((a, i) => {
    if (used.has(i)) return;
    const j = ends.findIndex(
      (b, k) => k !== i && !used.has(k) && b.l.tunnel!.local === a.l.tunnel!.remote && b.l.tunnel!.remote === a.l.tunnel!.local,
    );
    used.add(i);
    const label = (e: typeof a) => `${e.l.name}@${e.ns}`;
    if (j >= 0) {
      used.add(j);
      const b = ends[j]!;
      const live = a.l.up && b.l.up;
      out.push([seg(label(a)), seg(` ═══ ${a.l.tunnel!.mode} ═══ `, live ? 'ok' : 'dim'), seg(label(b))]);
    } else {
      out.push([seg(label(a)), seg(` ═══ ${a.l.tunnel!.mode} ═══ `, 'dim'), seg(`? (${a.l.tunnel!.remote})`, 'warn')]);
    }
  });
  return out.map((l) => fitLine(l, width));
}

/** The map as lines no wider than `width`. */
export function renderMap(t: Topology, width: number, lang: Lang): Line[] {
  const w = Math.max(20, width);
  const body = w >= STAR_MIN_WIDTH && isStar(t) ? renderStar(t, w, lang) : renderList(t, w, lang);
  return [...body, ...tunnelSummary(t, w)].map((l) => fitLine(l, width));
}
