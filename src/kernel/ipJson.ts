// The parts of iproute2's JSON output that the tutor reads (`ip -j -s -d addr show`, `ip -j route
// show`, `ip -j route get`, `ip -j neigh show`): checks, the live map and `tutor flow` share them.
export interface IpAddrInfo {
  family: string;
  local?: string;
  /** For point-to-point addresses, the peer. */
  address?: string;
  prefixlen?: number;
  scope?: string;
}

export interface IpLink {
  ifindex: number;
  ifname: string;
  link_index?: number;
  link_netnsid?: number;
  link?: string | null;
  flags: string[];
  mtu: number;
  operstate?: string;
  link_type?: string;
  address?: string;
  broadcast?: string;
  linkinfo?: {
    info_kind?: string;
    info_data?: Record<string, unknown>;
  };
  addr_info?: IpAddrInfo[];
  /** with `-s` */
  stats64?: { rx?: IpCounters; tx?: IpCounters };
}

export interface IpCounters {
  packets?: number;
  bytes?: number;
  errors?: number;
  dropped?: number;
}

export interface IpRoute {
  /** unicast when absent; unreachable, blackhole, prohibit, local... */
  type?: string;
  dst: string;
  metric?: number;
  gateway?: string;
  dev?: string;
  scope?: string;
  protocol?: string;
  prefsrc?: string;
  flags?: string[];
}

/** One answer of `ip -j route get` (the kernel's own route lookup). */
export interface RouteAnswer {
  type?: string;
  dst?: string;
  from?: string;
  gateway?: string;
  dev?: string;
  prefsrc?: string;
  iif?: string;
  flags?: string[];
}

export interface IpNeigh {
  dst: string;
  dev?: string;
  lladdr?: string;
  state?: string[];
}

/** `ip -j` prints nothing at all (not `[]`) for some empty lists. */
export function parseJsonArray<T>(text: string): T[] {
  const t = text.trim();
  if (!t) return [];
  try {
    const v: unknown = JSON.parse(t);
    return Array.isArray(v) ? (v as T[]) : [];
  } catch {
    return [];
  }
}

/** Normalise a route destination: host routes come without a prefix length. */
export function normaliseDst(dst: string): string {
  if (dst === 'default') return '0.0.0.0/0';
  return dst.includes('/') ? dst : `${dst}/32`;
}

export function kindOf(link: IpLink): string {
  return link.linkinfo?.info_kind ?? link.link_type ?? 'unknown';
}
