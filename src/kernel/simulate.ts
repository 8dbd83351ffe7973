import { kindOf, normaliseDst, type IpLink, type IpRoute, type RouteAnswer } from './ipJson.js';
import { typedInNs } from './namespaces.js';
import type { NsSnapshot, World } from './snapshot.js';
import { TUNNEL_KINDS } from './trace.js';
import { vethPeer } from './veth.js';

// Where does a ping die? A pure walk of one echo request and its reply through the state read
// from the kernel: the route each namespace chooses (longest prefix, then metric; the kernel's
// own `ip route get` answer where routes tie), forwarding on routers, link and carrier state,
// neighbour resolution on each cable, tunnel encapsulation and which tunnel takes the packet at
// the far end. General path reasoning, no knowledge of the course: the first hop that goes
// astray is named with the namespace, device and route or setting responsible, the command that
// shows it and the one that fixes it.
export interface PathState extends World {
  /** net.ipv4.ip_forward per namespace (undefined: not read) */
  forwarding: Record<string, boolean | undefined>;
}

export type FaultCode =
  | 'no_route'
  | 'route_blocked'
  | 'gateway_local'
  | 'route_back'
  | 'no_forward'
  | 'link_down'
  | 'no_carrier'
  | 'no_neighbour'
  | 'tunnel_no_remote'
  | 'tunnel_local_foreign'
  | 'tunnel_remote_local'
  | 'no_decap'
  | 'decap_near_miss'
  | 'tunnel_down'
  | 'reply_elsewhere'
  | 'loop';

export interface Fault {
  code: FaultCode;
  /** on the way there, or on the reply's way back */
  direction: 'request' | 'reply';
  ns: string;
  dev?: string;
  /** the packet at that point */
  src: string;
  dst: string;
  /** the route responsible, as `ip route` prints it */
  route?: string;
  params: Record<string, string>;
  /** commands (as a learner types them) that show the problem, and that fix it */
  show: string[];
  fix: string[];
}

export type HopAction = 'send' | 'forward' | 'encap' | 'decap' | 'deliver';

export interface PathHop {
  ns: string;
  action: HopAction;
  dev?: string;
  src: string;
  dst: string;
  route?: string;
}

/** A route lookup only the kernel can settle (routes that tie), for another round. */
export interface Lookup {
  ns: string;
  dst: string;
  from?: string;
  iif?: string;
}
export const lookupKey = (l: Lookup) => [l.ns, l.dst, l.from ?? '', l.iif ?? ''].join('|');
export type KernelAnswers = ReadonlyMap<string, RouteAnswer | null>;

export interface PathResult {
  verdict: 'ok' | 'fault' | 'unsure';
  request: PathHop[];
  reply: PathHop[];
  fault?: Fault;
  /** with 'unsure': the lookups that would settle it */
  need?: Lookup[];
  /** with 'ok': the ttl the reply should arrive with */
  ttl?: number;
}

// ---- addresses and routes ----

function ipInt(ip: string): number {
  const p = ip.split('.').map(Number);
  return p.length === 4 && p.every((x) => Number.isInteger(x) && x >= 0 && x <= 255)
    ? ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0
    : NaN;
}

function contains(cidr: string, ip: string): { len: number } | null {
  const [net, lenS] = normaliseDst(cidr).split('/') as [string, string];
  const len = Number(lenS);
  const mask = len === 0 ? 0 : (~0 << (32 - len)) >>> 0;
  return (ipInt(net) & mask) >>> 0 === (ipInt(ip) & mask) >>> 0 ? { len } : null;
}

const isUp = (l: IpLink) => l.flags.includes('UP');
// LOWER_UP is the carrier itself; iproute2's NO-CARRIER comes from the operstate, which the
// kernel updates a moment later (linkwatch), so right after `ip link set up` it still shows.
const hasCarrier = (l: IpLink) => l.flags.includes('LOWER_UP');
const v4 = (l: IpLink) => (l.addr_info ?? []).filter((a) => a.family === 'inet' && a.local);

/** Addresses this namespace answers for: those on links that are up (the kernel drops the others' local routes). */
function isLocal(ns: NsSnapshot, ip: string): boolean {
  return ns.links.some((l) => isUp(l) && v4(l).some((a) => a.local === ip));
}

function link(ns: NsSnapshot, dev: string | undefined): IpLink | undefined {
  return dev === undefined ? undefined : ns.links.find((l) => l.ifname === dev);
}

export function routeText(r: IpRoute): string {
  return [r.type && r.type !== 'unicast' ? r.type : '', r.dst, r.gateway ? `via ${r.gateway}` : '', r.dev ? `dev ${r.dev}` : '']
    .filter(Boolean)
    .join(' ');
}

type Choice =
  | { kind: 'local' }
  | { kind: 'route'; route: IpRoute }
  | { kind: 'none' }
  | { kind: 'blocked'; route: IpRoute }
  | { kind: 'unsure'; need: Lookup };

function choose(ns: NsSnapshot, dst: string, answers: KernelAnswers | undefined, from?: string, iif?: string): Choice {
  if (isLocal(ns, dst)) return { kind: 'local' };
  const matches = ns.routes
    .filter(
      (r) =>
        (r.type === undefined || r.type === 'unicast' || ['unreachable', 'blackhole', 'prohibit'].includes(r.type)) && contains(r.dst, dst),
    )
    .map((r) => ({ r, len: contains(r.dst, dst)!.len, metric: r.metric ?? 0 }));
  if (matches.length === 0) return { kind: 'none' };
  const longest = Math.max(...matches.map((m) => m.len));
  const best = matches.filter((m) => m.len === longest);
  const low = Math.min(...best.map((m) => m.metric));
  const tied = best.filter((m) => m.metric === low).map((m) => m.r);
  let route = tied[0]!;
  if (tied.length > 1) {
    const need: Lookup = { ns: ns.name, dst, ...(from ? { from } : {}), ...(iif ? { iif } : {}) };
    const a = answers?.get(lookupKey(need));
    if (a === undefined) return { kind: 'unsure', need };
    // The answer names the device; its gateway only when it is not the router's own address.
    const onDev = a ? tied.filter((r) => r.dev === a.dev) : [];
    const hit = onDev.find((r) => r.gateway === a?.gateway) ?? (onDev.length === 1 ? onDev[0] : undefined);
    if (!hit) return { kind: 'unsure', need };
    route = hit;
  }
  if (route.type && route.type !== 'unicast') return { kind: 'blocked', route };
  return { kind: 'route', route };
}

/** The source address a local process gets for a route (its prefsrc, else the device's first address). */
function sourceFor(ns: NsSnapshot, r: IpRoute): string | undefined {
  return r.prefsrc ?? v4(link(ns, r.dev) ?? ({ flags: [] } as unknown as IpLink))[0]?.local;
}

// ---- the walk ----

interface Packet {
  src: string;
  dst: string;
  /** the tunnel kind of an outer packet (ipip, gre) */
  proto?: string;
}

type Walk = { ok: true; hops: PathHop[]; ns: string; forwards: number } | { ok: false; hops: PathHop[]; fault?: Fault; need?: Lookup[] };

const tunnelEnds = (l: IpLink) => {
  const d = l.linkinfo?.info_data ?? {};
  const a = (v: unknown) => (typeof v === 'string' && v && v !== 'any' ? v : undefined);
  return { local: a(d.local), remote: a(d.remote) };
};

function walk(state: PathState, direction: Fault['direction'], startNs: string, first: Packet, answers?: KernelAnswers): Walk {
  const hops: PathHop[] = [];
  const stack: Packet[] = [];
  const seen = new Set<string>();
  let ns = state.ns[startNs];
  let pkt = first;
  let iif: string | undefined;
  let forwards = 0;
  const fault = (f: Omit<Fault, 'direction' | 'src' | 'dst' | 'params' | 'show' | 'fix'> & Partial<Fault>): Walk => ({
    ok: false,
    hops,
    fault: { direction, src: pkt.src, dst: pkt.dst, params: {}, show: [], fix: [], ...f },
  });
  for (let step = 0; step < 24 && ns; step++) {
    const here = ns;
    const key = `${here.name}|${pkt.src}|${pkt.dst}|${pkt.proto ?? ''}|${iif ?? ''}`;
    if (seen.has(key)) return fault({ code: 'loop', ns: here.name, show: [typedInNs(here.name, `ip route get ${pkt.dst}`)] });
    seen.add(key);
    const c = choose(here, pkt.dst, answers, iif ? pkt.src : undefined, iif);
    if (c.kind === 'unsure') return { ok: false, hops, need: [c.need] };

    if (c.kind === 'local') {
      if (pkt.proto && stack.length > 0) {
        // An outer packet arrived: which tunnel takes it (as ip_tunnel_lookup: exact ends first, the catch-all last)?
        const tunnels = here.links.filter((l) => kindOf(l) === pkt.proto);
        const score = (l: IpLink) => {
          const e = tunnelEnds(l);
          if ((e.local && e.local !== pkt.dst) || (e.remote && e.remote !== pkt.src)) return -1;
          return (e.local ? 2 : 0) + (e.remote ? 1 : 0);
        };
        const takers = tunnels.filter((l) => score(l) >= 0).sort((a, b) => score(b) - score(a));
        const taker = takers[0];
        if (!taker || !isUp(taker)) {
          const near = tunnels.find((l) => {
            const e = tunnelEnds(l);
            return e.local === pkt.dst && e.remote !== undefined && e.remote !== pkt.src;
          });
          if (near && (!taker || score(near) >= 0 || takers.every((t) => !isUp(t)))) {
            const e = tunnelEnds(near);
            return fault({
              code: 'decap_near_miss',
              ns: here.name,
              dev: near.ifname,
              params: { found: e.remote ?? 'any', kind: pkt.proto },
              show: [typedInNs(here.name, `ip -d link show ${near.ifname}`)],
              fix: [typedInNs(here.name, `ip tunnel change ${near.ifname} remote ${pkt.src} local ${pkt.dst}`)],
            });
          }
          if (taker && !isUp(taker) && score(taker) > 0)
            return fault({
              code: 'tunnel_down',
              ns: here.name,
              dev: taker.ifname,
              show: [typedInNs(here.name, `ip link show ${taker.ifname}`)],
              fix: [typedInNs(here.name, `ip link set ${taker.ifname} up`)],
            });
          return fault({ code: 'no_decap', ns: here.name, params: { kind: pkt.proto }, show: [typedInNs(here.name, 'ip -d link show')] });
        }
        hops.push({ ns: here.name, action: 'decap', dev: taker.ifname, src: pkt.src, dst: pkt.dst });
        pkt = stack.pop()!;
        iif = taker.ifname;
        continue;
      }
      hops.push({ ns: here.name, action: 'deliver', ...(iif ? { dev: iif } : {}), src: pkt.src, dst: pkt.dst });
      return { ok: true, hops, ns: here.name, forwards };
    }

    if (iif !== undefined && state.forwarding[here.name] !== true) {
      if (state.forwarding[here.name] === undefined) return { ok: false, hops };
      return fault({
        code: 'no_forward',
        ns: here.name,
        dev: iif,
        show: [typedInNs(here.name, 'cat /proc/sys/net/ipv4/ip_forward')],
        fix: [here.name === 'root' ? 'echo 1 > /proc/sys/net/ipv4/ip_forward' : typedInNs(here.name, 'sysctl -w net.ipv4.ip_forward=1')],
      });
    }

    if (c.kind === 'none') {
      const down = here.links.find(
        (l) =>
          !isUp(l) &&
          v4(l).some((a) => a.address === pkt.dst || (a.prefixlen !== undefined && contains(`${a.local}/${a.prefixlen}`, pkt.dst))),
      );
      if (down)
        return fault({
          code: 'link_down',
          ns: here.name,
          dev: down.ifname,
          show: [typedInNs(here.name, `ip link show ${down.ifname}`)],
          fix: [typedInNs(here.name, `ip link set ${down.ifname} up`)],
        });
      return fault({
        code: 'no_route',
        ns: here.name,
        show: [typedInNs(here.name, `ip route get ${pkt.dst}`), typedInNs(here.name, 'ip route')],
        fix: routeSuggestion(state, here, pkt.dst),
      });
    }
    if (c.kind === 'blocked')
      return fault({
        code: 'route_blocked',
        ns: here.name,
        route: routeText(c.route),
        params: { type: c.route.type ?? '' },
        show: [typedInNs(here.name, 'ip route')],
        fix: [typedInNs(here.name, `ip route del ${c.route.dst}`)],
      });

    const r = c.route;
    const rt = routeText(r);
    const out = link(here, r.dev);
    if (hops.length === 0 && stack.length === 0 && !iif) pkt = { ...pkt, src: pkt.src || sourceFor(here, r) || '?' };
    if (r.gateway && isLocal(here, r.gateway))
      return fault({
        code: 'gateway_local',
        ns: here.name,
        route: rt,
        params: { gateway: r.gateway },
        show: [typedInNs(here.name, 'ip route')],
        fix: [typedInNs(here.name, `ip route del ${r.dst} via ${r.gateway}`)],
      });
    if (!out) return { ok: false, hops };
    if (!isUp(out))
      return fault({
        code: 'link_down',
        ns: here.name,
        dev: out.ifname,
        route: rt,
        show: [typedInNs(here.name, `ip link show ${out.ifname}`)],
        fix: [typedInNs(here.name, `ip link set ${out.ifname} up`)],
      });
    const kind = kindOf(out);

    if (TUNNEL_KINDS.has(kind)) {
      const e = tunnelEnds(out);
      const remote = e.remote ?? r.gateway;
      if (!remote)
        return fault({
          code: 'tunnel_no_remote',
          ns: here.name,
          dev: out.ifname,
          route: rt,
          show: [typedInNs(here.name, `ip -d link show ${out.ifname}`)],
        });
      if (isLocal(here, remote))
        return fault({
          code: 'tunnel_remote_local',
          ns: here.name,
          dev: out.ifname,
          params: { remote, local: e.local ?? 'any' },
          show: [typedInNs(here.name, `ip -d link show ${out.ifname}`)],
          fix: e.local ? [typedInNs(here.name, `ip tunnel change ${out.ifname} local ${remote} remote ${e.local}`)] : [],
        });
      if (e.local && !isLocal(here, e.local))
        return fault({
          code: 'tunnel_local_foreign',
          ns: here.name,
          dev: out.ifname,
          params: { local: e.local },
          show: [typedInNs(here.name, `ip -d link show ${out.ifname}`), typedInNs(here.name, 'ip addr')],
          fix: [],
        });
      hops.push({ ns: here.name, action: 'encap', dev: out.ifname, src: pkt.src, dst: pkt.dst, route: rt });
      stack.push(pkt);
      const outerSrc = e.local ?? '';
      pkt = { src: outerSrc, dst: remote, proto: kind };
      iif = undefined;
      if (!outerSrc) {
        const oc = choose(here, remote, answers);
        if (oc.kind === 'route') pkt.src = sourceFor(here, oc.route) ?? '?';
      }
      continue;
    }

    if (kind !== 'veth') return { ok: false, hops };
    if (iif === out.ifname && r.gateway)
      return fault({
        code: 'route_back',
        ns: here.name,
        dev: out.ifname,
        route: rt,
        show: [typedInNs(here.name, `ip route get ${pkt.dst} from ${pkt.src} iif ${iif}`)],
        fix: r.protocol === 'kernel' ? [] : [typedInNs(here.name, `ip route del ${r.dst} via ${r.gateway}`)],
      });
    const peer = vethPeer(Object.values(state.ns), here, out);
    if (!peer || !hasCarrier(out))
      return fault({
        code: 'no_carrier',
        ns: here.name,
        dev: out.ifname,
        route: rt,
        params: peer ? { peer: peer.link.ifname, peerNs: peer.ns.name } : {},
        show: [typedInNs(here.name, `ip link show ${out.ifname}`)],
        fix: peer && !isUp(peer.link) ? [typedInNs(peer.ns.name, `ip link set ${peer.link.ifname} up`)] : [],
      });
    const peerNs = state.ns[peer.ns.name]!;
    const nextHop = r.gateway ?? pkt.dst;
    if (!isLocal(peerNs, nextHop)) {
      const len = here.routes.find((x) => x.protocol === 'kernel' && x.dev === out.ifname && contains(x.dst, nextHop))?.dst.split('/')[1];
      return fault({
        code: 'no_neighbour',
        ns: here.name,
        dev: out.ifname,
        route: rt,
        params: { nextHop, peer: peer.link.ifname, peerNs: peer.ns.name },
        show: [typedInNs(here.name, `ip neigh show dev ${out.ifname}`), typedInNs(peer.ns.name, `ip addr show ${peer.link.ifname}`)],
        fix: v4(peer.link).length === 0 && len ? [typedInNs(peer.ns.name, `ip addr add ${nextHop}/${len} dev ${peer.link.ifname}`)] : [],
      });
    }
    hops.push({ ns: here.name, action: iif ? 'forward' : 'send', dev: out.ifname, src: pkt.src, dst: pkt.dst, route: rt });
    if (iif && stack.length === 0) forwards++;
    ns = peerNs;
    iif = peer.link.ifname;
  }
  return { ok: false, hops };
}

/** How a namespace with no route could reach `dst`: via a neighbour across a cable that can, or through a tunnel. */
function routeSuggestion(state: PathState, ns: NsSnapshot, dst: string): string[] {
  for (const l of ns.links) {
    if (!isUp(l) || kindOf(l) !== 'veth') continue;
    const peer = vethPeer(Object.values(state.ns), ns, l);
    const gw = peer && v4(peer.link)[0]?.local;
    if (!peer || !gw) continue;
    const there = state.ns[peer.ns.name]!;
    const r = there.routes.find(
      (x) => x.dev !== peer.link.ifname && (x.type === undefined || x.type === 'unicast') && contains(x.dst, dst),
    );
    if (r || isLocal(there, dst))
      return [typedInNs(ns.name, `ip route add ${r ? normaliseDst(r.dst).replace(/\/32$/, '') : dst} via ${gw}`)];
  }
  const tun = ns.links.find((l) => isUp(l) && TUNNEL_KINDS.has(kindOf(l)) && tunnelEnds(l).remote);
  return tun ? [typedInNs(ns.name, `ip route add ${dst} dev ${tun.ifname}`)] : [];
}

/** One echo request from `fromNs` to `to`, and its reply. */
export function simulatePing(state: PathState, fromNs: string, to: string, answers?: KernelAnswers): PathResult {
  const there = walk(state, 'request', fromNs, { src: '', dst: to }, answers);
  if (!there.ok)
    return {
      verdict: there.fault ? 'fault' : 'unsure',
      request: there.hops,
      reply: [],
      ...(there.fault ? { fault: there.fault } : {}),
      ...(there.need ? { need: there.need } : {}),
    };
  const src = there.hops[0]?.src ?? '';
  if (!src || src === '?') return { verdict: 'unsure', request: there.hops, reply: [] };
  const back = walk(state, 'reply', there.ns, { src: to, dst: src }, answers);
  if (!back.ok)
    return {
      verdict: back.fault ? 'fault' : 'unsure',
      request: there.hops,
      reply: back.hops,
      ...(back.fault ? { fault: back.fault } : {}),
      ...(back.need ? { need: back.need } : {}),
    };
  if (back.ns !== fromNs) {
    const last = back.hops.at(-1)!;
    return {
      verdict: 'fault',
      request: there.hops,
      reply: back.hops,
      fault: {
        code: 'reply_elsewhere',
        direction: 'reply',
        ns: back.ns,
        src: to,
        dst: src,
        params: { expected: fromNs },
        show: [typedInNs(back.ns, 'ip addr')],
        fix: [],
        ...(last.dev ? { dev: last.dev } : {}),
      },
    };
  }
  return { verdict: 'ok', request: there.hops, reply: back.hops, ttl: 64 - back.forwards };
}
