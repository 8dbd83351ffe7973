import type { Sandbox } from '../sandbox/types.js';
import { parseJsonArray, type IpLink, type IpRoute } from './ipJson.js';
import { ipArgs, LIST_NETNS, parseNetnsList, ROOT } from './namespaces.js';
import { QueryBatch } from './query.js';

// What exists in each network namespace: links (with addresses, tunnel/veth details and
// counters) and routes. The checks, the live map and `tutor flow` all read it this way.
export interface NsSnapshot {
  name: string;
  /** false when the namespace is gone (its reads failed) */
  exists: boolean;
  /** the id by which the root namespace refers to it, when `ip netns list` gave one */
  nsid?: number;
  links: IpLink[];
  routes: IpRoute[];
}

export interface World {
  /** namespaces from `ip netns list` (the root namespace is not listed) */
  netns: string[];
  ns: Record<string, NsSnapshot>;
}

export const emptyWorld = (): World => ({ netns: [], ns: {} });

/** Add the reads of one namespace to a batch; the result lands in `world.ns[name]`. */
export function readNamespace(batch: QueryBatch, world: World, name: string): void {
  const st = (world.ns[name] ??= { name, exists: false, links: [], routes: [] });
  // -d adds linkinfo (kind, veth/tunnel details), -s the counters; addr show carries each link's flags and mtu.
  batch.add(ipArgs(name, '-s', '-d', 'addr', 'show'), (r) => {
    st.exists = r.exitCode === 0;
    st.links = r.exitCode === 0 ? parseJsonArray<IpLink>(r.stdout) : [];
  });
  batch.add(ipArgs(name, 'route', 'show'), (r) => {
    st.routes = r.exitCode === 0 ? parseJsonArray<IpRoute>(r.stdout) : [];
  });
}

/** Add `ip netns list` to a batch; the names land in `world.netns`, their ids on the snapshots. */
export function readNetnsList(batch: QueryBatch, world: World): void {
  batch.add(LIST_NETNS, (r) => {
    const list = parseNetnsList(r);
    world.netns = list.map((n) => n.name);
    for (const n of list) if (n.id !== undefined) (world.ns[n.name] ??= { name: n.name, exists: false, links: [], routes: [] }).nsid = n.id;
  });
}

// The namespaces each sandbox had at its last full read: the best guess of which ones to read
// in the same round trip as the list itself.
const lastNetns = new WeakMap<Sandbox, readonly string[]>();

/**
 * Every namespace (root included) in one round trip when the namespace list is as last time,
 * two when a namespace appeared since. `extra` adds reads to the first round.
 */
export async function readWorld(sandbox: Sandbox, extra?: (batch: QueryBatch, world: World) => void): Promise<World> {
  const world = emptyWorld();
  const guess = lastNetns.get(sandbox) ?? [];
  const first = new QueryBatch();
  readNetnsList(first, world);
  for (const ns of [ROOT, ...guess]) readNamespace(first, world, ns);
  extra?.(first, world);
  await first.run(sandbox, { timeoutMs: 10_000 });
  lastNetns.set(sandbox, world.netns);
  const second = new QueryBatch();
  for (const ns of world.netns) if (!guess.includes(ns)) readNamespace(second, world, ns);
  await second.run(sandbox, { timeoutMs: 10_000 });
  // A namespace guessed but gone since: not part of the world any more.
  for (const ns of guess) if (!world.netns.includes(ns)) delete world.ns[ns];
  return world;
}

/** The world's namespaces in the article's order: root, then ns1, ns2, ns10. */
export function orderedNamespaces(world: World): NsSnapshot[] {
  return Object.values(world.ns).sort((a, b) =>
    a.name === ROOT ? -1 : b.name === ROOT ? 1 : a.name.localeCompare(b.name, 'en', { numeric: true }),
  );
}
