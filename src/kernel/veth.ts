import type { IpLink } from './ipJson.js';
import { ROOT } from './namespaces.js';

// The other end of a veth pair. iproute2 names it (`link`) when both ends share a namespace;
// otherwise it gives the peer's ifindex in its own namespace (`link_index`) and, seen from the
// root namespace, the id of that namespace (`link_netnsid`). ifindexes repeat across
// namespaces, so several links can match; the ones these facts confirm come first.
export interface NsLinks {
  name: string;
  links: IpLink[];
  nsid?: number;
}

export type Peer = { ns: NsLinks; link: IpLink };

export function vethPeers(all: readonly NsLinks[], here: NsLinks, link: IpLink): Peer[] {
  if (link.link_netnsid === undefined && typeof link.link === 'string') {
    const same = here.links.find((l) => l.ifname === link.link);
    return same ? [{ ns: here, link: same }] : [];
  }
  if (link.link_index === undefined) return [];
  const candidates: Peer[] = [];
  for (const ns of all)
    for (const l of ns.links) {
      if (ns === here && l.ifindex === link.ifindex) continue;
      if (l.ifindex === link.link_index && (l.link_index === undefined || l.link_index === link.ifindex)) candidates.push({ ns, link: l });
    }
  const confirmed = (c: Peer) =>
    here.name === ROOT
      ? c.ns.nsid !== undefined && c.ns.nsid === link.link_netnsid
      : c.ns.name === ROOT && here.nsid !== undefined && c.link.link_netnsid === here.nsid;
  const rank = (c: Peer) => (confirmed(c) ? 0 : c.ns !== here && c.link.link_netnsid !== undefined ? 1 : 2);
  return candidates.sort((a, b) => rank(a) - rank(b));
}

export function vethPeer(all: readonly NsLinks[], here: NsLinks, link: IpLink): Peer | undefined {
  return vethPeers(all, here, link)[0];
}
