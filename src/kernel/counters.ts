import type { World } from './snapshot.js';

// Which devices packets crossed: the difference of each link's counters between two reads.
export interface CounterDelta {
  ns: string;
  dev: string;
  kind?: string;
  txPackets: number;
  rxPackets: number;
  txBytes: number;
  rxBytes: number;
}

export function counterDeltas(before: World, after: World): CounterDelta[] {
  const out: CounterDelta[] = [];
  for (const a of Object.values(after.ns)) {
    const b = before.ns[a.name];
    if (!b) continue;
    for (const l of a.links) {
      const p = b.links.find((x) => x.ifname === l.ifname);
      if (!p) continue;
      const kind = l.linkinfo?.info_kind;
      const n = (v: number | undefined) => v ?? 0;
      out.push({
        ns: a.name,
        dev: l.ifname,
        ...(kind ? { kind } : {}),
        txPackets: n(l.stats64?.tx?.packets) - n(p.stats64?.tx?.packets),
        rxPackets: n(l.stats64?.rx?.packets) - n(p.stats64?.rx?.packets),
        txBytes: n(l.stats64?.tx?.bytes) - n(p.stats64?.tx?.bytes),
        rxBytes: n(l.stats64?.rx?.bytes) - n(p.stats64?.rx?.bytes),
      });
    }
  }
  return out;
}
