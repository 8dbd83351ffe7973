import { kindOf, type IpLink, type IpRoute } from './ipJson.js';
import { ROOT } from './namespaces.js';
import type { World } from './snapshot.js';
import { vethPeer } from './veth.js';

// The map's data: what exists in the sandbox right now, as plain data (the REPL's live map, the
// classroom dashboard). Pure: built from a World snapshot, no I/O here.

export interface TopoLink {
  name: string;
  /** veth, ipip, gre, loopback, ... */
  kind: string;
  /** administratively up (the UP flag) */
  up: boolean;
  /** carrier present (LOWER_UP); a veth whose peer is down has none */
  carrier: boolean;
  mtu: number;
  /** IPv4 addresses as CIDR, or "a peer b" for point-to-point ones */
  addrs: string[];
  /** the other end of a veth pair */
  peer?: { ns: string; name: string };
  /** tunnel endpoints (outer addresses); "any" when unset */
  tunnel?: { mode: string; local: string; remote: string };
}

export interface TopoRoute {
  dst: string;
  via?: string;
  dev?: string;
}

export interface TopoNs {
  /** "root" for the sandbox's own namespace */
  name: string;
  links: TopoLink[];
  /** routes someone added (not the kernel's own routes to connected subnets) */
  routes: TopoRoute[];
}

export interface Topology {
  namespaces: TopoNs[];
}

/** One namespace's raw links, as gathered. */
export interface RawNs {
  name: string;
  links: IpLink[];
  /** `ip -j route show`, when read */
  routes?: IpRoute[];
  /** the nsid by which the root namespace refers to this one (from `ip netns list`), if known */
  nsid?: number;
}

function routesOf(rs: IpRoute[] | undefined): TopoRoute[] {
  return (rs ?? [])
    .filter((r) => r.protocol !== 'kernel')
    .map((r) => {
      const t: TopoRoute = { dst: r.dst };
      if (r.gateway) t.via = r.gateway;
      if (r.dev) t.dev = r.dev;
      return t;
    });
}

/** Kernel fallback devices that appear when a tunnel module loads; not something the learner made. */
const FALLBACK_DEVICES = new Set(['tunl0', 'gre0', 'gretap0', 'erspan0', 'sit0', 'ip6tnl0', 'ip6gre0', 'ip_vti0', 'ip6_vti0']);

function addrsOf(l: IpLink): string[] {
  return (l.addr_info ?? [])
    .filter((a) => a.family === 'inet' && a.local)
    .map((a) => (a.address && a.address !== a.local ? `${a.local} peer ${a.address}` : `${a.local}/${a.prefixlen ?? 32}`));
}

function tunnelOf(l: IpLink, kind: string): TopoLink['tunnel'] {
  if (!['ipip', 'gre', 'sit', 'vti', 'isatap'].includes(kind)) return undefined;
  const d = l.linkinfo?.info_data ?? {};
  const s = (v: unknown) => (typeof v === 'string' && v ? v : 'any');
  return { mode: kind, local: s(d.local), remote: s(d.remote) };
}

function findPeer(raw: RawNs[], nsIdx: number, link: IpLink): { ns: string; name: string } | undefined {
  const p = vethPeer(raw, raw[nsIdx]!, link);
  return p ? { ns: p.ns.name, name: p.link.ifname } : undefined;
}

/** Turn each namespace's `ip -j -d addr show` links into the map's data. Root comes first. */
export function buildTopology(raw: RawNs[]): Topology {
  // root first, then the others in natural order (ns1, ns2, ns10), as the article draws them
  const ordered = [...raw].sort((a, b) =>
    a.name === ROOT ? -1 : b.name === ROOT ? 1 : a.name.localeCompare(b.name, 'en', { numeric: true }),
  );
  return {
    namespaces: ordered.map((ns, i) => ({
      name: ns.name,
      routes: routesOf(ns.routes),
      links: ns.links
        .filter((l) => l.ifname !== 'lo' && !FALLBACK_DEVICES.has(l.ifname))
        .map((l): TopoLink => {
          const kind = kindOf(l);
          const link: TopoLink = {
            name: l.ifname,
            kind,
            up: l.flags.includes('UP'),
            carrier: l.flags.includes('LOWER_UP'),
            mtu: l.mtu,
            addrs: addrsOf(l),
          };
          const peer = kind === 'veth' ? findPeer(ordered, i, l) : undefined;
          if (peer) link.peer = peer;
          const tunnel = tunnelOf(l, kind);
          if (tunnel) link.tunnel = tunnel;
          return link;
        }),
    })),
  };
}

export function topologyOf(world: World): Topology {
  return buildTopology(Object.values(world.ns).filter((n) => n.exists));
}

/** Namespace and link names, for Tab completion. */
export function topologyNames(t: Topology | null): string[] {
  if (!t) return [];
  const names = new Set<string>();
  for (const ns of t.namespaces) {
    if (ns.name !== ROOT) names.add(ns.name);
    for (const l of ns.links) names.add(l.name);
  }
  return [...names];
}
