import type { Sandbox } from '../sandbox/types.js';
import { parseJsonArray, type IpLink, type RouteAnswer } from './ipJson.js';
import { ipArgs, ROOT } from './namespaces.js';
import type { NsSnapshot, World } from './snapshot.js';

// A packet followed hop by hop with the kernel's own answers (`ip route get` in each namespace):
// nothing about the topology is assumed, so a broken setup shows its real, broken path. Tunnels
// turn into an outer packet that is followed the same way, then back into the inner one.
export interface TunnelInfo {
  ns: string;
  dev: string;
  kind: string;
  local?: string;
  remote?: string;
  mtu?: number;
}

export type HopKind = 'route' | 'encap' | 'forward' | 'receive' | 'decap' | 'deliver' | 'noroute' | 'leave';

export interface Hop {
  ns: string;
  kind: HopKind;
  /** The command asked (as a learner would type it). */
  command?: string;
  /** The kernel's answer, in `ip route get`'s own words. */
  answer?: string;
  route?: RouteAnswer;
  /** Device the packet leaves through (or arrives on, for receive/decap). */
  dev?: string;
  src: string;
  dst: string;
  tunnel?: TunnelInfo;
  error?: string;
}

export const TUNNEL_KINDS = new Set(['ipip', 'gre', 'sit', 'vti', 'ip6tnl', 'ip6gre', 'gretap', 'ipip6']);

export function tunnelOf(state: NsSnapshot | undefined, dev: string | undefined): TunnelInfo | undefined {
  if (!state || !dev) return undefined;
  const l = state.links.find((x) => x.ifname === dev);
  const kind = l?.linkinfo?.info_kind;
  if (!l || !kind || !TUNNEL_KINDS.has(kind)) return undefined;
  const d = l.linkinfo?.info_data ?? {};
  const addr = (a: unknown) => (typeof a === 'string' && a && a !== 'any' ? a : undefined);
  const local = addr(d.local);
  const remote = addr(d.remote);
  return {
    ns: state.name,
    dev,
    kind,
    ...(local ? { local } : {}),
    ...(remote ? { remote } : {}),
    ...(l.mtu !== undefined ? { mtu: l.mtu } : {}),
  };
}

/** The namespace and device that own an IPv4 address. */
export function ownerOf(world: World, ip: string): { ns: string; dev: string; link: IpLink } | undefined {
  for (const s of Object.values(world.ns))
    for (const l of s.links)
      if (l.addr_info?.some((a) => a.family === 'inet' && a.local === ip)) return { ns: s.name, dev: l.ifname, link: l };
  return undefined;
}

export function answerText(r: RouteAnswer): string {
  const parts: string[] = [];
  if (r.type && r.type !== 'unicast') parts.push(r.type);
  if (r.dst) parts.push(r.dst);
  if (r.from) parts.push(`from ${r.from}`);
  if (r.gateway) parts.push(`via ${r.gateway}`);
  if (r.dev) parts.push(`dev ${r.dev}`);
  if (r.prefsrc) parts.push(`src ${r.prefsrc}`);
  if (r.iif) parts.push(`iif ${r.iif}`);
  return parts.join(' ');
}

/** `ip [-n NS] route get DST [from SRC] [iif DEV]`, as typed and as answered. */
export async function routeGet(
  sb: Sandbox,
  ns: string,
  dst: string,
  from?: string,
  iif?: string,
): Promise<{ command: string; route?: RouteAnswer; error?: string }> {
  const rest = ['route', 'get', dst, ...(from ? ['from', from] : []), ...(iif ? ['iif', iif] : [])];
  const command = `ip ${ns === ROOT ? '' : `-n ${ns} `}${rest.join(' ')}`;
  const [r] = await sb.query([ipArgs(ns, ...rest)]);
  if (!r || r.exitCode !== 0) return { command, error: (r?.stderr || r?.stdout || 'failed').trim() };
  const arr = parseJsonArray<RouteAnswer>(r.stdout);
  if (!arr[0]) return { command, error: r.stdout.trim() || 'no answer' };
  return { command, route: arr[0] };
}

/** Follow a packet sent by a local process in `ns` to `dst` (from `src`), hop by hop. */
export async function tracePath(sb: Sandbox, world: World, ns: string, dst: string, src?: string, maxHops = 12): Promise<Hop[]> {
  const hops: Hop[] = [];
  // A stack of packets: the inner one waits while its outer packet travels.
  interface Pkt {
    src?: string;
    dst: string;
    tunnel?: TunnelInfo;
  }
  let cur: Pkt = { dst, ...(src ? { src } : {}) };
  const inners: Pkt[] = [];
  let curNs = ns;
  let iif: string | undefined;
  for (let n = 0; n < maxHops; n++) {
    const g = await routeGet(sb, curNs, cur.dst, cur.src, iif);
    const base = { ns: curNs, command: g.command, src: cur.src ?? g.route?.prefsrc ?? '?', dst: cur.dst };
    if (!g.route) {
      hops.push({ ...base, kind: 'noroute', error: g.error ?? '' });
      return hops;
    }
    const r = g.route;
    if (!cur.src && r.prefsrc) cur.src = r.prefsrc;
    const answer = answerText(r);
    if (r.type === 'local') {
      if (iif) hops.push({ ...base, src: cur.src ?? '?', kind: inners.length ? 'receive' : 'deliver', answer, route: r, dev: iif });
      else hops.push({ ...base, src: cur.src ?? '?', kind: 'deliver', answer, route: r, dev: r.dev ?? 'lo' });
      const inner = inners.pop();
      if (!inner) return hops;
      // Decapsulation: a tunnel here whose endpoints match the outer packet takes the inner one.
      // Like the kernel's ip_tunnel_lookup: exact endpoints first, then local only, remote only,
      // and the catch-all device (tunl0/gre0) last.
      const st = world.ns[curNs];
      const score = (t: TunnelInfo) => (t.local && t.remote ? 3 : t.local ? 2 : t.remote ? 1 : 0);
      const tun = (st?.links ?? [])
        .map((l) => tunnelOf(st, l.ifname))
        .filter(
          (t): t is TunnelInfo =>
            !!t && t.kind === inner.tunnel?.kind && (!t.local || t.local === cur.dst) && (!t.remote || t.remote === cur.src),
        )
        .sort((a, b) => score(b) - score(a))[0];
      if (!tun) {
        hops.push({
          ns: curNs,
          kind: 'noroute',
          src: inner.src ?? '?',
          dst: inner.dst,
          error: `no ${inner.tunnel?.kind ?? ''} tunnel in ${curNs} with local ${cur.dst} remote ${cur.src}`,
        });
        return hops;
      }
      hops.push({ ns: curNs, kind: 'decap', dev: tun.dev, tunnel: tun, src: inner.src ?? '?', dst: inner.dst });
      cur = inner;
      iif = tun.dev;
      continue;
    }
    const tun = tunnelOf(world.ns[curNs], r.dev);
    if (tun) {
      hops.push({ ...base, src: cur.src ?? '?', kind: 'encap', answer, route: r, dev: r.dev!, tunnel: tun });
      if (!tun.remote) {
        hops.push({ ns: curNs, kind: 'noroute', src: tun.local ?? '?', dst: '?', error: `tunnel ${tun.dev} has no remote address` });
        return hops;
      }
      inners.push({ ...cur, tunnel: tun });
      cur = { dst: tun.remote, ...(tun.local ? { src: tun.local } : {}) };
      iif = undefined;
      continue;
    }
    hops.push({ ...base, src: cur.src ?? '?', kind: iif ? 'forward' : 'route', answer, route: r, ...(r.dev ? { dev: r.dev } : {}) });
    // Where does it arrive? At whoever owns the next hop (the gateway, or the destination itself).
    const next = ownerOf(world, r.gateway ?? cur.dst);
    if (!next || next.ns === curNs) {
      hops.push({ ns: curNs, kind: 'leave', src: cur.src ?? '?', dst: cur.dst, ...(r.dev ? { dev: r.dev } : {}) });
      return hops;
    }
    curNs = next.ns;
    iif = next.dev;
  }
  return hops;
}
