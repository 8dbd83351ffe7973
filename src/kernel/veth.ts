import type { IpLink } from './ipJson.js';
import { ROOT } from './namespaces.js';

// The other end of a veth pair: its ifindex is our link_index and its link_index is our
// ifindex (in its own namespace); link_netnsid, seen from the root namespace, names which one.
export interface NsLinks {
  name: string;
  links: IpLink[];
  nsid?: number;
}

export function vethPeer(all: readonly NsLinks[], here: NsLinks, link: IpLink): { ns: NsLinks; link: IpLink } | undefined {
  if (link.link_index === undefined) return undefined;
  const candidates: { ns: NsLinks; link: IpLink }[] = [];
  for (const ns of all)
    for (const l of ns.links) {
      if (ns === here && l.ifindex === link.ifindex) continue;
      if (l.ifindex === link.link_index && (l.link_index === undefined || l.link_index === link.ifindex)) candidates.push({ ns, link: l });
    }
  if (candidates.length === 0) return undefined;
  // No link_netnsid means the peer lives in the same namespace.
  const same = candidates.find((c) => c.ns === here);
  if (link.link_netnsid === undefined && same) return same;
  // ifindexes are per namespace, so several links may match; the namespace ids are known as the
  // root namespace sees them (`ip netns list`), which settles every pair with one end in root.
  const verified =
    here.name === ROOT
      ? candidates.find((c) => c.ns.nsid !== undefined && c.ns.nsid === link.link_netnsid)
      : candidates.find((c) => c.ns.name === ROOT && here.nsid !== undefined && c.link.link_netnsid === here.nsid);
  return verified ?? candidates.find((c) => c.ns !== here && c.link.link_netnsid !== undefined) ?? candidates[0];
}
